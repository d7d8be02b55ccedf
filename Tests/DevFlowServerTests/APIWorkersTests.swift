import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /api/v1/workers`: the registry as the schema in docs/api/openapi.json describes it.
@Suite("API workers")
struct APIWorkersTests {
    @Test("workers are listed newest first with their state, labels, slots and the runs they hold")
    func list() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let now = Date()
        try fixture.store.registerWorker(
            WorkerRecord(
                id: "gpu-box:41", host: "gpu-box", pid: 41, kind: .worker, labels: ["gpu", "linux"], slots: 4,
                version: "1.2.3", startedAt: now.addingTimeInterval(-100)))
        try fixture.store.registerWorker(
            WorkerRecord(
                id: "old:7", host: "old", pid: 7, kind: .server, labels: ["linux"], slots: 2, version: "1.2.3",
                startedAt: now.addingTimeInterval(-200)))
        try fixture.store.stopWorker(id: "old:7", at: now.addingTimeInterval(-150))
        let queued = try fixture.store.enqueue(
            RunRecord(
                id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: "{}",
                gitCommit: "c1", gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now, startedAt: nil,
                finishedAt: nil, pid: 0, host: "", heartbeatAt: now, resumedFrom: nil, repository: "acme/app"))
        let claimed = try #require(try fixture.store.claimRun(worker: "gpu-box:41:0", now: now, lease: 3600))
        let run = try #require(queued.id)
        #expect(claimed.id == run)
        // Beaten just now: online (however slowly a loaded machine got here).
        let beat = Date()
        try fixture.store.workerHeartbeat(id: "gpu-box:41", at: beat)
        try await buildApplication(fixture.context).test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/workers", method: .get, headers: fixture.auth(.viewer))
            #expect(response.status == .ok)
            let body = try APIFixture.json(response)
            let workers = try #require(body["workers"] as? [[String: Any]])
            #expect(workers.map { $0["id"] as? String } == ["gpu-box:41", "old:7"])
            let gpu = workers[0]
            #expect(gpu["kind"] as? String == "worker")
            // Online unless this test itself stalled past the 30 s a heartbeat counts for.
            let age = gpu["heartbeat_age_seconds"] as? Double ?? -1
            #expect(
                gpu["state"] as? String == "online" || Date().timeIntervalSince(beat) > WorkerState.lostAfter,
                "state \(gpu["state"] ?? "?"), heartbeat age \(age) s, \(Date().timeIntervalSince(beat)) s since the beat"
            )
            #expect(age >= 0 && age <= Date().timeIntervalSince(beat) + 1)
            #expect(gpu["labels"] as? [String] == ["gpu", "linux"] && gpu["slots"] as? Int == 4)
            #expect(gpu["running_runs"] as? [Int] == [Int(run)])
            #expect(gpu["stopped_at"] is NSNull && gpu["pid"] as? Int == 41)
            #expect(workers[1]["state"] as? String == "stopped" && workers[1]["stopped_at"] is String)
            let anonymous = try await client.execute(uri: "/api/v1/workers", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }
}
