import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

@testable import DevFlowServer

/// Idle slots claim together: slots asking at once each get a distinct run claimed under their own worker id (one
/// `claimRuns` per batch: one round trip on PostgreSQL), and the slots beyond the runnable runs get nil.
@Suite struct SlotClaimerTests {
    static func queued(_ commit: String) -> RunRecord {
        let now = Date()
        return RunRecord(
            id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: "{}", gitCommit: commit,
            gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now, startedAt: nil, finishedAt: nil,
            pid: 0, host: "", heartbeatAt: now, resumedFrom: nil, repository: "acme/app", ref: "refs/heads/main")
    }

    @Test("eight slots at once over five runs: five distinct runs, each under its slot's worker id, three nils")
    func slotsClaimTogether() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TestStore.open(sqlitePath: directory.appendingPathComponent("q.sqlite").path)
        let queued = try (0..<5).map { try store.enqueue(Self.queued("c\($0)")) }
        let claimer = SlotClaimer(queue: store, workerID: "host:42", labels: [], lease: 30)
        let results = await withTaskGroup(of: (Int, Result<RunRecord?, any Error>).self) { group in
            for slot in 0..<8 { group.addTask { (slot, await claimer.claim(slot: slot)) } }
            var all: [(Int, Result<RunRecord?, any Error>)] = []
            for await result in group { all.append(result) }
            return all
        }
        var claimed: [Int64] = []
        var empty = 0
        for (slot, result) in results {
            let run = try result.get()
            guard let run else {
                empty += 1
                continue
            }
            #expect(run.workerId == "host:42:\(slot)" && run.status == .running)
            claimed.append(run.id ?? 0)
        }
        #expect(Set(claimed) == Set(queued.compactMap(\.id)) && claimed.count == 5)
        #expect(empty == 3)
        let again = try await claimer.claim(slot: 0).get()
        #expect(again == nil)
    }
}
