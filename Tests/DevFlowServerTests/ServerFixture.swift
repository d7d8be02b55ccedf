import DevFlowCompiler
import DevFlowForges
import DevFlowServer
import DevFlowStore
import DevFlowStoreTestSupport
import DevFlowTestSupport
import DevFlowWebhooks
import Foundation
import HTTPTypes
import NIOCore

/// A server over a real git repository built with the git CLI: its configuration, store and data directory in a
/// temporary directory, and GitHub push deliveries signed with the repository's secret.
final class ServerFixture: @unchecked Sendable {
    let repository: GitFixture
    let directory: URL
    let secret = "s3cret-for-tests"
    let context: ServerContext

    /// A repository `acme/app` whose `.devflow.yml` is `pipeline`, committed on main.
    init(
        pipeline: String, workers: Int = 2, lease: TimeInterval = 30, files: [String: String] = [:],
        environment: [String: String] = [:], configure: (inout ServerConfiguration.Repository) -> Void = { _ in },
        server: (inout ServerConfiguration) -> Void = { _ in }
    ) throws {
        repository = try GitFixture()
        try repository.write(".devflow.yml", pipeline)
        for (path, content) in files { try repository.write(path, content) }
        try repository.commit("pipeline")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.workers = workers
        configuration.maxBodyBytes = 64 * 1024
        var entry = ServerConfiguration.Repository(
            name: "acme/app", forge: .github, cloneURL: repository.path, webhookSecret: .env("ACME_SECRET"))
        configure(&entry)
        configuration.repositories = [entry]
        server(&configuration)
        var settings = try ServerSettings(
            configuration: configuration,
            databasePath: try TestStore.location(sqlitePath: directory.appendingPathComponent("devflow.sqlite").path),
            dataDirectory: directory.appendingPathComponent("data").path,
            environment: ["ACME_SECRET": secret, "SERVER_ONLY_TOKEN": "must-not-leak"].merging(environment) { $1 })
        settings.leaseSeconds = lease
        settings.pollSeconds = 0.2
        settings.shutdownGraceSeconds = 2
        context = try ServerContext(settings: settings)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The head commit of main.
    func head() throws -> String { try repository.git(["rev-parse", "HEAD"]) }

    /// A GitHub push payload for `ref` from `before` to `after`.
    func pushPayload(ref: String = "refs/heads/main", before: String? = nil, after: String, deleted: Bool = false)
        -> String
    {
        """
        {"ref":"\(ref)","before":"\(before ?? String(repeating: "0", count: 40))","after":"\(after)",\
        "created":\(before == nil),"deleted":\(deleted),"forced":false,\
        "repository":{"full_name":"acme/app","name":"app","clone_url":"https://github.com/acme/app.git",\
        "default_branch":"main","owner":{"login":"acme"}},"pusher":{"name":"ada","email":"ada@example.com"},\
        "sender":{"login":"ada"},"head_commit":{"id":"\(after)","message":"change","timestamp":"2024-03-01T12:00:00Z"},\
        "commits":[]}
        """
    }

    /// A GitHub `pull_request` payload opened from the fork `grace/app` at `head` into main.
    func forkPullRequest(head: String, number: Int = 42) -> String {
        """
        {"action":"opened","number":\(number),"pull_request":{"number":\(number),"state":"open","title":"from a fork",\
        "draft":false,"user":{"login":"grace"},"html_url":"https://github.com/acme/app/pull/\(number)",\
        "head":{"ref":"config-cache","sha":"\(head)","user":{"login":"grace"},"repo":{"name":"app","full_name":"grace/app",\
        "owner":{"login":"grace"},"fork":true,"clone_url":"https://github.com/grace/app.git"}},\
        "base":{"ref":"main","sha":"\(head)","user":{"login":"acme"},"repo":{"name":"app","full_name":"acme/app",\
        "owner":{"login":"acme"},"fork":false,"clone_url":"https://github.com/acme/app.git"}}},\
        "repository":{"name":"app","full_name":"acme/app","owner":{"login":"acme"},"fork":false,\
        "clone_url":"https://github.com/acme/app.git"},"sender":{"login":"grace"}}
        """
    }

    /// Headers of a signed GitHub delivery.
    func headers(event: String = "push", delivery: String, body: String, signature: String? = nil) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[HTTPField.Name("X-GitHub-Event")!] = event
        fields[HTTPField.Name("X-GitHub-Delivery")!] = delivery
        fields[HTTPField.Name("X-Hub-Signature-256")!] =
            signature ?? Forges.signature(of: Array(body.utf8), secret: secret)
        return fields
    }

    /// Waits (polling the store, at most `seconds`) until run `id` is finished.
    func waitForRun(_ id: Int64, seconds: Double = 60) async throws -> RunRecord {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let run = try context.store.run(id), run.status.isFinished { return run }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw FixtureError("run \(id) did not finish in \(seconds)s: \(String(describing: try context.store.run(id)))")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ByteBuffer {
    init(text: String) { self.init(bytes: Array(text.utf8)) }
}
