import DevFlowCompiler
import DevFlowForges
import DevFlowServer
import DevFlowStore
import DevFlowTestSupport
import DevFlowWebhooks
import FakeForgeServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What the server tells the forge and the team, and deliveries from GitLab and Bitbucket, through HTTP: commit
/// statuses and Slack messages land on a local fake that checks every request.
@Suite("server and forges", .serialized)
struct ServerForgeTests {
    static let pipeline = """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
        steps:
          test:
            run: test -f ok.txt
        """

    /// Waits until the fake holds at least `count` requests.
    static func requests(_ fake: FakeForgeServer, count: Int, fixture: ServerFixture) async throws
        -> [RecordedRequest]
    {
        try await fixture.waitUntil("\(count) requests reach the fake forge (\(fake.requests.count) so far)") {
            fake.requests.count >= count
        }
        return fake.requests
    }

    @Test("commit statuses running then final with a link, a config error's first error; Slack on failure and recovery")
    func statusesAndNotifications() async throws {
        let fake = try await FakeForgeServer.start(fallback: FakeAnswer(status: 201, body: "{}"))
        let fixture = try ServerFixture(
            pipeline: Self.pipeline, environment: ["STATUS_TOKEN": "ghp_status", "SLACK_URL": fake.baseURL + "/slack"],
            configure: { repository in
                repository.statusAPI = fake.baseURL + "/"
                repository.statusToken = .env("STATUS_TOKEN")
            },
            server: { configuration in
                configuration.publicURL = "https://devflow.example"
                configuration.notifications = [
                    ServerConfiguration.Notification(kind: .slack, url: .env("SLACK_URL"), on: [.failure, .recovery])
                ]
            })
        let failing = try fixture.head()
        try await buildApplication(fixture.context).test(.live) { client in
            let first = try await fixture.push(client, delivery: "d-1", after: failing)
            #expect(try await fixture.waitForRun(first).status == .failed)
            var seen = try await Self.requests(fake, count: 3, fixture: fixture)
            let statuses = seen.filter { $0.path.hasPrefix("/repos/") }
            #expect(statuses.map(\.path) == Array(repeating: "/repos/acme/app/statuses/\(failing)", count: 2))
            #expect(statuses.map { ($0.json as? [String: Any])?["state"] as? String } == ["pending", "failure"])
            for status in statuses {
                #expect(status.method == "POST")
                #expect(status.headers["authorization"] == "Bearer ghp_status")
                let body = status.json as? [String: Any]
                #expect(body?["target_url"] as? String == "https://devflow.example/runs/\(first)")
                #expect(body?["context"] as? String == "devflow/.devflow.yml")
            }
            let slack = try #require(seen.first { $0.path == "/slack" })
            #expect(
                (slack.json as? [String: Any])?["text"] as? String == "❌ acme/app main: run \(first) failed\nci failed")

            try fixture.repository.write("ok.txt", "ok\n")
            let fixed = try fixture.repository.commit("add ok.txt")
            let second = try await fixture.push(client, delivery: "d-2", after: fixed)
            #expect(try await fixture.waitForRun(second).status == .succeeded)
            seen = try await Self.requests(fake, count: 6, fixture: fixture)
            let later = seen.dropFirst(3)
            #expect(
                later.filter { $0.path == "/repos/acme/app/statuses/\(fixed)" }
                    .map { ($0.json as? [String: Any])?["state"] as? String } == ["pending", "success"])
            let recovery = try #require(later.first { $0.path == "/slack" })
            #expect(
                ((recovery.json as? [String: Any])?["text"] as? String)?.hasPrefix(
                    "✅ acme/app main: run \(second) recovered") == true)

            try fixture.repository.write(".devflow.yml", "version: 1\nname: ci\non: {push: {}}\nstep: {}\n")
            let broken = try fixture.repository.commit("break the pipeline")
            let third = try await fixture.push(client, delivery: "d-3", after: broken)
            #expect(try await fixture.waitForRun(third).status == .configError)
            seen = try await Self.requests(fake, count: 8, fixture: fixture)
            let final = try #require(seen.dropFirst(6).first { $0.path == "/repos/acme/app/statuses/\(broken)" })
            let body = final.json as? [String: Any]
            #expect(body?["state"] as? String == "failure")
            #expect((body?["description"] as? String)?.hasPrefix(".devflow.yml:") == true, "\(final.body)")
        }
        #expect(!fake.requests.contains { $0.body.contains("ghp_status") }, "the token reached a request body")
        await fake.stop()
    }

    /// A forge's recorded payload with the repository and commits replaced by the fixture's.
    static func payload(_ forge: String, _ name: String, replacing: [String: String]) throws -> (
        String, [String: String]
    ) {
        let directory = Repository.path("Tests/DevFlowWebhooksTests/Fixtures/\(forge)")
        var body = try String(contentsOfFile: "\(directory)/\(name).json", encoding: .utf8)
        for (old, new) in replacing { body = body.replacingOccurrences(of: old, with: new) }
        let headers =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).headers.json"))) as? [String: String]
        return (body, headers ?? [:])
    }

    static func deliver<Client: TestClientProtocol>(
        _ client: Client, path: String, body: String, headers: [String: String]
    ) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(text: body))
    }

    @Test("a GitLab push (X-Gitlab-Token) and a Bitbucket push (X-Hub-Signature) run at their commit")
    func gitlabAndBitbucket() async throws {
        for forge in [ServerConfiguration.Forge.gitlab, .bitbucket] {
            let fixture = try ServerFixture(
                pipeline: Self.pipeline, files: ["ok.txt": "ok\n"], configure: { $0.forge = forge })
            let head = try fixture.head()
            var (text, fields): (String, [String: String])
            if forge == .gitlab {
                (text, fields) = try Self.payload(
                    "gitlab", "push-branch",
                    replacing: [
                        "acme/platform/api": "acme/app", "d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5": head,
                    ])
                fields["X-Gitlab-Token"] = fixture.secret
            } else {
                (text, fields) = try Self.payload(
                    "bitbucket", "push-branch",
                    replacing: ["acme/storefront": "acme/app", "a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5": head])
                fields["X-Hub-Signature"] = Forges.signature(of: Array(text.utf8), secret: fixture.secret)
            }
            let (body, headers) = (text, fields)
            try await buildApplication(fixture.context).test(.live) { client in
                let path = "/hooks/\(forge.rawValue)"
                let response = try await Self.deliver(client, path: path, body: body, headers: headers)
                #expect(response.status == .accepted, "\(forge): \(String(buffer: response.body))")
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let run = try #require((answer?["run"] as? NSNumber)?.int64Value)
                let record = try await fixture.waitForRun(run)
                #expect(record.status == .succeeded, "\(forge): \(record)")
                #expect(record.gitCommit == head)
                #expect(record.repository == "acme/app")
                // A forged token or signature is refused.
                var forged = headers
                forged[forge == .gitlab ? "X-Gitlab-Token" : "X-Hub-Signature"] =
                    forge == .gitlab ? "wrong" : Forges.signature(of: Array(body.utf8), secret: "wrong")
                forged["X-Gitlab-Event-UUID"] = forged["X-Gitlab-Event-UUID"].map { $0 + "-2" }
                forged["X-Request-UUID"] = forged["X-Request-UUID"].map { $0 + "-2" }
                let refused = try await Self.deliver(client, path: path, body: body, headers: forged)
                #expect(refused.status == .unauthorized)
                // The redelivery (same delivery key) queues nothing.
                let again = try await Self.deliver(client, path: path, body: body, headers: headers)
                #expect(again.status == .ok)
                #expect(try fixture.context.store.runs(limit: 10).count == 1)
            }
        }
    }

    @Test("a repository whose clone fails: the run fails with libgit2's message, and the server takes the next push")
    func cloneFailure() async throws {
        let fixture = try ServerFixture(
            pipeline: Self.pipeline, configure: { $0.cloneURL = "/nonexistent/devflow-repository.git" })
        try await buildApplication(fixture.context).test(.live) { client in
            let head = try fixture.head()
            let run = try await fixture.push(client, delivery: "d-1", after: head)
            let record = try await fixture.waitForRun(run)
            #expect(record.status == .failed)
            #expect(
                record.statusReason?.contains("cannot fetch /nonexistent/devflow-repository.git") == true, "\(record)")
            let next = try await fixture.push(client, delivery: "d-2", after: head)
            #expect(try await fixture.waitForRun(next).status == .failed)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }
}
