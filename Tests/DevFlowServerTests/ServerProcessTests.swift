import DevFlowForges
import DevFlowStore
import DevFlowTestSupport
import DevFlowWebhooks
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `devflow serve` as a real process: `kill -9` with a run half done, then a restart that resumes it (the finished
/// step is reused, not run again); SIGTERM lets a running step finish within the grace period, then cancels it.
@Suite(
    "server process", .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: Repository.path(".build/debug/devflow"))))
struct ServerProcessTests {
    static let devflow = Repository.path(".build/debug/devflow")

    /// Posts a GitHub push of `head` to main, signed with `secret`, to the server at `base`; returns the run id.
    static func push(to base: String, head: String, secret: String) async throws -> Int64 {
        let body = """
            {"ref":"refs/heads/main","before":"\(String(repeating: "0", count: 40))","after":"\(head)",\
            "created":true,"deleted":false,"repository":{"full_name":"acme/app","name":"app"},\
            "pusher":{"name":"ada"},"head_commit":{"id":"\(head)","timestamp":"2024-03-01T12:00:00Z"}}
            """
        var request = URLRequest(url: URL(string: base + "/hooks/github")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("push", forHTTPHeaderField: "X-GitHub-Event")
        request.setValue(UUID().uuidString, forHTTPHeaderField: "X-GitHub-Delivery")
        request.setValue(
            Forges.signature(of: Array(body.utf8), secret: secret), forHTTPHeaderField: "X-Hub-Signature-256")
        let (data, _) = try await URLSession.shared.data(for: request)
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard let run = (answer?["run"] as? NSNumber)?.int64Value else {
            throw FixtureError("no run in \(String(decoding: data, as: UTF8.self))")
        }
        return run
    }

    /// A repository, a configuration on a free port, and a marker directory steps write to.
    final class Setup: @unchecked Sendable {
        let repository: GitFixture
        let directory: String
        let port: Int
        let secret = "process-secret"
        var server: Process?

        init(pipeline: String, grace: String = "30s") throws {
            repository = try GitFixture()
            try repository.write(".devflow.yml", pipeline)
            try repository.commit("pipeline")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-serve-\(UUID())").path
            try FileManager.default.createDirectory(atPath: directory + "/marks", withIntermediateDirectories: true)
            port = Self.freePort()
            let config = """
                listen: 127.0.0.1:\(port)
                data: \(directory)/data
                db: \(directory)/devflow.sqlite
                workers: 1
                shutdown_grace: \(grace)
                step_env: [MARKS]
                repositories:
                  - name: acme/app
                    forge: github
                    clone_url: \(repository.path)
                    webhook_secret: {env: HOOK_SECRET}
                """
            try config.write(toFile: directory + "/devflow-server.yml", atomically: true, encoding: .utf8)
        }

        deinit {
            if let server, server.isRunning { kill(server.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(atPath: directory)
        }

        static func freePort() -> Int {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        /// Starts `devflow serve` and waits for `/healthz`.
        func start() async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ServerProcessTests.devflow)
            process.arguments = ["serve", "--config", directory + "/devflow-server.yml"]
            process.environment = [
                "HOOK_SECRET": secret, "MARKS": directory + "/marks", "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": directory,
            ]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            server = process
            for _ in 0..<200 {
                if (try? await get("/healthz"))?.status == 200 { return }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            throw FixtureError("devflow serve did not answer /healthz on port \(port)")
        }

        func get(_ path: String) async throws -> (status: Int, body: String) {
            let (data, response) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        /// Posts a signed push of main's head; returns the run id.
        func push() async throws -> Int64 {
            try await ServerProcessTests.push(
                to: "http://127.0.0.1:\(port)", head: try repository.git(["rev-parse", "HEAD"]), secret: secret)
        }

        func store() throws -> SQLiteRunStore { try SQLiteRunStore(path: directory + "/devflow.sqlite") }

        /// Polls until `condition` holds (at most `seconds`).
        func until(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            throw FixtureError("timed out after \(seconds)s waiting for \(what)")
        }

        func marks(_ name: String) -> [String] {
            ((try? String(contentsOfFile: "\(directory)/marks/\(name)", encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
    }

    @Test("kill -9 with a run half done: the restart resumes it, the finished step is not run again")
    func killAndRestart() async throws {
        let setup = try Setup(
            pipeline: """
                version: 1
                name: ci
                on: {push: {branches: [main]}}
                steps:
                  first:
                    run: echo ran >> "$MARKS/first"
                  second:
                    needs: [first]
                    run: |
                      echo $$ >> "$MARKS/groups"
                      echo started >> "$MARKS/second"
                      if [ "$(wc -l < "$MARKS/second")" -gt 1 ]; then exit 0; fi
                      sleep 20
                """)
        try await setup.start()
        let run = try await setup.push()
        try await setup.until(30, "the second step to start") { setup.marks("second").count == 1 }
        kill(setup.server!.processIdentifier, SIGKILL)
        setup.server!.waitUntilExit()
        // kill -9 of the server leaves its step running in its own process group: stop it as an operator would.
        for group in setup.marks("groups").compactMap({ Int32($0) }) { kill(-group, SIGKILL) }
        #expect(try setup.store().run(run)?.status == .running)
        try await setup.start()
        var resumed: RunRecord?
        try await setup.until(30, "the resumed run to finish") {
            resumed = try setup.store().runs(limit: 10).first { $0.resumedFrom == run }
            return resumed?.status.isFinished == true
        }
        let store = try setup.store()
        #expect(try store.run(run)?.status == .interrupted)
        #expect(resumed?.status == .succeeded)
        let nodes = try store.nodes(run: resumed!.id!)
        #expect(nodes.first { $0.nodeId == "first" }?.status == .reused)
        #expect(nodes.first { $0.nodeId == "second" }?.status == .succeeded)
        #expect(setup.marks("first") == ["ran"], "the finished step ran again")
        let deliveries = try store.deliveries(limit: 5)
        #expect(deliveries.first?.runId == resumed?.id)
        kill(setup.server!.processIdentifier, SIGTERM)
        setup.server!.waitUntilExit()
        #expect(setup.server!.terminationStatus == 0)
    }

    @Test("SIGTERM: running steps get the grace period, then they are cancelled; the server exits 0")
    func gracefulShutdown() async throws {
        let setup = try Setup(
            pipeline: """
                version: 1
                name: ci
                on: {push: {branches: [main]}}
                steps:
                  long:
                    run: echo started >> "$MARKS/long" && sleep 60
                """, grace: "1s")
        try await setup.start()
        let run = try await setup.push()
        try await setup.until(30, "the step to start") { setup.marks("long").count == 1 }
        let stopped = Date()
        kill(setup.server!.processIdentifier, SIGTERM)
        setup.server!.waitUntilExit()
        #expect(setup.server!.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopped) < 20)
        let record = try setup.store().run(run)
        #expect(record?.status == .cancelled, "\(String(describing: record))")
    }
}
