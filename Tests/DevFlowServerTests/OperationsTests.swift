import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Health, readiness and metrics over HTTP, and pull requests from forks: run without secrets, or not at all.
@Suite("operations and forks", .serialized)
struct OperationsTests {
    static let pipeline = """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
          pull_request: {branches: [main]}
        secrets: [DEPLOY_TOKEN]
        steps:
          show:
            run: echo "token=${DEPLOY_TOKEN:-none}"
        """

    @Test("/healthz, /readyz once the workers run, /metrics with deliveries, queue depth and runs by status")
    func healthAndMetrics() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let body = fixture.pushPayload(after: try fixture.head())
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            var ready = HTTPResponse.Status.serviceUnavailable
            for _ in 0..<100 where ready != .ok {
                ready = try await client.execute(uri: "/readyz", method: .get).status
                if ready != .ok { try await Task.sleep(nanoseconds: 50_000_000) }
            }
            #expect(ready == .ok)
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "m-1", body: body),
                body: ByteBuffer(text: body))
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            _ = try await fixture.waitForRun(try #require((answer?["run"] as? NSNumber)?.int64Value))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains(#"devflow_deliveries_total{forge="github",outcome="queued"} 1"#), "\(metrics)")
            #expect(metrics.contains("devflow_queue_depth 0"))
            #expect(metrics.contains(#"devflow_runs{status="succeeded"} 1"#))
            #expect(metrics.contains(#"devflow_run_duration_seconds_count{status="succeeded"} 1"#))
            #expect(metrics.contains(#"devflow_step_duration_seconds_count{status="succeeded"} 1"#), "\(metrics)")
        }
    }

    @Test("a fork's pull request runs without the repository's secrets (forks: without_secrets)")
    func forkWithoutSecrets() async throws {
        let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-secrets-\(UUID())").path
        try "DEPLOY_TOKEN=hunter2\n".write(toFile: secrets, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secrets) }
        let fixture = try ServerFixture(pipeline: Self.pipeline) { $0.secretsFile = secrets }
        let head = try fixture.head()
        try fixture.repository.git(["update-ref", "refs/pull/42/head", head])
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let pull = fixture.forkPullRequest(head: head)
            let response = try await client.execute(
                uri: "/hooks/github", method: .post,
                headers: fixture.headers(event: "pull_request", delivery: "fork-1", body: pull),
                body: ByteBuffer(text: pull))
            #expect(response.status == .accepted)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let forkRun = try await fixture.waitForRun(try #require((answer?["run"] as? NSNumber)?.int64Value))
            #expect(forkRun.status == .succeeded, "\(forkRun)")
            #expect(forkRun.withoutSecrets)
            let forkLog = try fixture.context.store.logs(run: forkRun.id!, node: "show").map(\.text).joined()
            #expect(forkLog.contains("token=none"), "\(forkLog)")
            // The same repository's own push gets the secret (masked in the log).
            let push = fixture.pushPayload(after: head)
            let own = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "own-1", body: push),
                body: ByteBuffer(text: push))
            let ownAnswer = try JSONSerialization.jsonObject(with: Data(buffer: own.body)) as? [String: Any]
            let ownRun = try await fixture.waitForRun(try #require((ownAnswer?["run"] as? NSNumber)?.int64Value))
            let ownLog = try fixture.context.store.logs(run: ownRun.id!, node: "show").map(\.text).joined()
            #expect(!ownLog.contains("token=none") && !ownLog.contains("hunter2"), "\(ownLog)")
        }
    }

    @Test("forks: never records a fork's pull request and runs nothing")
    func forksNever() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline) { $0.forks = .never }
        let pull = fixture.forkPullRequest(head: try fixture.head())
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/hooks/github", method: .post,
                headers: fixture.headers(event: "pull_request", delivery: "fork-2", body: pull),
                body: ByteBuffer(text: pull))
            #expect(response.status == .accepted)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(answer?["run"] is NSNull)
            #expect((answer?["reason"] as? String)?.contains("forks: never") == true)
            #expect(try fixture.context.store.runs(limit: 5).isEmpty)
        }
    }
}
