import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /api/v1/dora` and `/api/v1/insights` over runs stored through the store's own protocol.
@Suite("API: DORA and insights", .serialized)
struct APIAnalyticsTests {
    static let pipeline = """
        version: 1
        name: ship
        on:
          push: {branches: [main]}
        steps:
          build:
            run: make
          deploy:
            needs: [build]
            run: ./deploy
            deployment: production
        """

    /// A finished run of `ship`, `hoursAgo` hours ago, whose deploy succeeds or fails.
    static func record(_ store: any ServerStore, hoursAgo: Double, deployed: Bool) throws {
        let graph = try #require(Compiler.compile(SourceFile(path: ".devflow.yml", text: pipeline)).graph)
        let queued = Date().addingTimeInterval(-hoursAgo * 3_600)
        let run = try store.startRun(
            RunRecord(
                id: nil, pipeline: "ship", file: ".devflow.yml", graphHash: graph.contentHash,
                graphJSON: String(decoding: graph.canonicalJSON(), as: UTF8.self), event: #"{"kind":"push"}"#,
                gitCommit: "c\(hoursAgo)", gitBranch: "main", gitAuthorTime: queued.addingTimeInterval(-600),
                status: .running, queuedAt: queued, startedAt: queued, finishedAt: nil, pid: 1, host: "test",
                heartbeatAt: queued, resumedFrom: nil, repository: "acme/app", ref: "refs/heads/main"),
            nodes: ["build", "deploy"])
        let id = try requireID(run.id)
        for (node, ok) in [("build", true), ("deploy", deployed)] {
            try store.finishNode(
                NodeRecord(
                    runId: id, nodeId: node, status: ok ? .succeeded : .failed, reason: nil, attempts: 1,
                    startedAt: queued, finishedAt: queued.addingTimeInterval(60), fingerprint: nil,
                    allowedFailure: false), outputs: [:])
        }
        try store.finishRun(run: id, status: deployed ? .succeeded : .failed, at: queued.addingTimeInterval(60))
    }

    @Test("DORA and insights answer the CLI's JSON; bad windows and a missing pipeline are 400s that say why")
    func reports() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        try Self.record(fixture.store, hoursAgo: 50, deployed: true)
        try Self.record(fixture.store, hoursAgo: 26, deployed: false)
        try Self.record(fixture.store, hoursAgo: 25, deployed: true)
        try await buildApplication(fixture.context).test(.live) { client in
            let viewer = fixture.auth(.viewer)
            let dora = try await client.execute(uri: "/api/v1/dora?window=7d", method: .get, headers: viewer)
            #expect(dora.status == .ok)
            let report = try APIFixture.json(dora)
            #expect(report["levels_year"] as? Int == 2024)
            let environments = try #require(report["environments"] as? [[String: Any]])
            #expect(environments.count == 1)
            #expect(environments.first?["environment"] as? String == "production")
            #expect(environments.first?["deployments"] as? Int == 3)
            let rate = environments.first?["change_failure_rate"] as? [String: Any]
            #expect(rate?["failed"] as? Int == 1)

            let empty = try await client.execute(
                uri: "/api/v1/dora?window=1h&repository=acme/app", method: .get, headers: viewer)
            let emptyReport = try APIFixture.json(empty)
            #expect((emptyReport["environments"] as? [Any])?.isEmpty == true)
            #expect((emptyReport["message"] as? String)?.contains("unknown, not zero") == true)

            let insights = try await client.execute(
                uri: "/api/v1/insights?pipeline=ship&window=7d", method: .get, headers: viewer)
            #expect(insights.status == .ok)
            let steps = try #require(try APIFixture.json(insights)["steps"] as? [[String: Any]])
            #expect(steps.map { $0["node"] as? String } == ["build", "deploy"])

            for (uri, parameter) in [
                ("/api/v1/dora?window=3y", "window"), ("/api/v1/dora?fix_window=0d", "fix_window"),
                ("/api/v1/insights", "pipeline"), ("/api/v1/insights?pipeline=ship&window=x", "window"),
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: viewer)
                #expect(response.status == .badRequest, "\(uri)")
                let body = String(buffer: response.body)
                #expect(body.contains(parameter), "\(uri): \(body)")
            }
            #expect(try await client.execute(uri: "/api/v1/dora", method: .get).status == .unauthorized)
        }
    }
}
