import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `devflow serve` driven through HTTP on loopback with a real repository: a push runs, bad deliveries get the
/// right status and a body that says why, and a redelivery never runs twice.
@Suite("webhooks", .serialized)
struct WebhookTests {
    static let pipeline = """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
        steps:
          build:
            run: echo built > built.txt && echo "leak=${SERVER_ONLY_TOKEN:-none}"
          test:
            needs: [build]
            run: test -f built.txt
        """

    @Test("a signed push is answered 202 with its run, which runs at that commit and succeeds")
    func pushRuns() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let head = try fixture.head()
        let body = fixture.pushPayload(after: head)
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "d-1", body: body),
                body: ByteBuffer(text: body))
            #expect(response.status == .accepted)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let runId = try #require((answer?["run"] as? NSNumber)?.int64Value)
            let run = try await fixture.waitForRun(runId)
            #expect(run.status == .succeeded, "\(run)")
            #expect(run.gitCommit == head)
            #expect(run.pipeline == "ci")
            let nodes = try fixture.context.store.nodes(run: runId)
            #expect(nodes.map(\.status) == [.succeeded, .succeeded])
            let logs = try fixture.context.store.logs(run: runId, node: "build").map(\.text).joined()
            #expect(logs.contains("leak=none"), "the server's own environment reached a step: \(logs)")
            // The redelivery answers 200 with the first run and queues nothing.
            let again = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "d-1", body: body),
                body: ByteBuffer(text: body))
            #expect(again.status == .ok)
            let second = try JSONSerialization.jsonObject(with: Data(buffer: again.body)) as? [String: Any]
            #expect(second?["duplicate"] as? Bool == true)
            #expect((second?["run"] as? NSNumber)?.int64Value == runId)
            #expect(try fixture.context.store.runs(limit: 10).count == 1)
        }
    }

    @Test("forged, unsigned, non-JSON, unknown repository, oversized: 401, 401, 400, 404, 413, nothing stored")
    func badDeliveries() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let body = fixture.pushPayload(after: try fixture.head())
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            func post(_ headers: HTTPFields, _ text: String, path: String = "/hooks/github") async throws
                -> (HTTPResponse.Status, String)
            {
                let response = try await client.execute(
                    uri: path, method: .post, headers: headers, body: ByteBuffer(text: text))
                return (response.status, String(buffer: response.body))
            }
            let forged = try await post(
                fixture.headers(delivery: "f", body: body, signature: "sha256=" + String(repeating: "0", count: 64)),
                body)
            #expect(forged.0 == .unauthorized)
            #expect(!forged.1.contains(fixture.secret))
            var unsigned = fixture.headers(delivery: "u", body: body)
            unsigned[HTTPField.Name("X-Hub-Signature-256")!] = nil
            #expect(try await post(unsigned, body).0 == .unauthorized)
            let notJSON = "this is not json"
            let malformed = try await post(fixture.headers(delivery: "m", body: notJSON), notJSON)
            #expect(malformed.0 == .badRequest)
            #expect(malformed.1.contains("error"))
            let other = body.replacingOccurrences(of: "acme/app", with: "acme/other")
            let unknown = try await post(fixture.headers(delivery: "x", body: other), other)
            #expect(unknown.0 == .notFound)
            #expect(unknown.1.contains("other"))
            let huge = String(repeating: " ", count: 70 * 1024) + body
            #expect(try await post(fixture.headers(delivery: "h", body: huge), huge).0 == .contentTooLarge)
            let truncated = String(body.prefix(body.count / 2))
            #expect(try await post(fixture.headers(delivery: "t", body: truncated), truncated).0 == .badRequest)
            #expect(
                try await post(fixture.headers(delivery: "z", body: body), body, path: "/hooks/gitea").0 == .notFound)
            #expect(try fixture.context.queue.deliveries(limit: 10).isEmpty)
            #expect(try fixture.context.store.runs(limit: 10).isEmpty)
        }
    }

    @Test("a branch deletion is recorded and ignored: 202 with run null and the reason")
    func deletionIgnored() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let body = fixture.pushPayload(
            before: try fixture.head(), after: String(repeating: "0", count: 40), deleted: true)
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "del", body: body),
                body: ByteBuffer(text: body))
            #expect(response.status == .accepted)
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(answer?["run"] is NSNull)
            #expect((answer?["reason"] as? String)?.contains("deleted") == true)
            let deliveries = try fixture.context.queue.deliveries(limit: 10)
            #expect(deliveries.count == 1 && deliveries.first?.outcome == .ignored)
        }
    }

    @Test("a pipeline with errors at the commit: config_error with the diagnostics stored")
    func configError() async throws {
        let fixture = try ServerFixture(
            pipeline: "version: 1\nname: ci\non: {push: {}}\nsteps:\n  a: {run: x, needs: [b]}\n")
        let body = fixture.pushPayload(after: try fixture.head())
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "c", body: body),
                body: ByteBuffer(text: body))
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let runId = try #require((answer?["run"] as? NSNumber)?.int64Value)
            let run = try await fixture.waitForRun(runId)
            #expect(run.status == .configError)
            #expect(run.statusReason?.contains(".devflow.yml:5") == true, "\(run.statusReason ?? "")")
            #expect(run.diagnostics?.contains("DF0") == true)
        }
    }

    @Test("a commit that does not exist fails the run with a message; the server stays up")
    func missingCommit() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let body = fixture.pushPayload(after: String(repeating: "a", count: 40))
        let app = buildApplication(fixture.context)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/hooks/github", method: .post, headers: fixture.headers(delivery: "n", body: body),
                body: ByteBuffer(text: body))
            let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let runId = try #require((answer?["run"] as? NSNumber)?.int64Value)
            let run = try await fixture.waitForRun(runId)
            #expect(run.status == .failed)
            #expect(run.statusReason?.contains("aaaaaaaa") == true, "\(run.statusReason ?? "")")
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }
}
