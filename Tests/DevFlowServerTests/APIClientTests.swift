import DevFlowServer
import DevFlowStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The CLI's `--server URL --token TOKEN` mode against a running server: `runs list`, `runs show`, `runs logs`
/// (whole and `--follow`), `breakers`.
@Suite("CLI over the API", .serialized)
struct APIClientTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ more: String) {
            lock.lock()
            text += more
            lock.unlock()
        }
        var value: String {
            lock.lock()
            defer { lock.unlock() }
            return text
        }
    }

    @Test("runs list, show and logs print what the local commands print, from the API")
    func listShowLogs() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let first = try fixture.seedRun(pipeline: "build-and-test")
        let second = try fixture.seedRun(pipeline: "deploy", status: .failed, nodes: ["ship": "failed"])
        try APILogsTests.appendLines(fixture, run: second, node: "ship", count: 3)
        try await buildApplication(fixture.context).test(.live) { client in
            let api = APIClient(
                server: "http://127.0.0.1:\(try #require(client.port))/", token: fixture.tokens[.viewer] ?? "")
            let list = await RemoteCommands.list(api, limit: 10)
            #expect(list.code == 0, "\(list.errors)")
            let rows = list.text.split(separator: "\n")
            #expect(rows.first?.hasPrefix("RUN  STATUS") == true)
            #expect(
                rows.dropFirst().map { $0.split(separator: " ").first.map(String.init) } == ["\(second)", "\(first)"])
            #expect(rows[1].contains("failed") && rows[1].contains("deploy") && rows[1].hasSuffix("main"))
            let show = await RemoteCommands.show(api, run: second)
            #expect(show.text.contains("run \(second): deploy (.devflow.yml) failed"))
            #expect(show.text.contains("ship: failed") && show.text.contains("attempt 1: failed in 1000 ms, exit 1"))
            #expect(show.text.contains("output version=1.2.3"))
            let lines = Lines()
            let logs = await RemoteCommands.logs(api, run: second, node: nil, follow: false) { lines.append($0) }
            #expect(logs.code == 0)
            #expect(lines.value == "[ship] line 0\n[ship] line 1\n[ship] line 2\n")
            let missing = await RemoteCommands.show(api, run: 999)
            #expect(missing.code == 1 && missing.errors.contains("there is no run 999 (HTTP 404)"))
            let wrongToken = await RemoteCommands.list(APIClient(server: api.server, token: "dft_wrong"), limit: 1)
            #expect(wrongToken.code == 1 && wrongToken.errors.contains("HTTP 401"))
            let denied = await RemoteCommands.breakers(api, action: "reset", name: "llm")
            #expect(denied.code == 1)
        }
    }

    @Test("runs logs --follow prints lines as they are written and exits with the node's outcome")
    func follow() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        try APILogsTests.appendLines(fixture, run: run, count: 2)
        try await buildApplication(fixture.context).test(.live) { client in
            let api = APIClient(
                server: "http://127.0.0.1:\(try #require(client.port))", token: fixture.tokens[.viewer] ?? "")
            let lines = Lines()
            let writer = Task {
                while !lines.value.contains("line 1") { try await Task.sleep(nanoseconds: 10_000_000) }
                try APILogsTests.appendLines(fixture, run: run, from: 2, count: 3)
                while !lines.value.contains("line 4") { try await Task.sleep(nanoseconds: 10_000_000) }
                try fixture.store.finishNode(
                    NodeRecord(
                        runId: run, nodeId: "build", status: .failed, reason: "exit 1", attempts: 1, startedAt: Date(),
                        finishedAt: Date(), fingerprint: nil, allowedFailure: false), outputs: [:])
            }
            let output = await RemoteCommands.logs(api, run: run, node: "build", follow: true) { lines.append($0) }
            try await writer.value
            #expect(lines.value == (0..<5).map { "line \($0)\n" }.joined())
            #expect(output.code == 1)
            #expect(output.errors == "devflow: node build failed\n")
        }
    }

    /// Runs the built `devflow` with `arguments`; its exit code, standard output and standard error.
    static func devflow(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        Int32, String, String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcessTests.devflow)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let error = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                continuation.resume(returning: (process.terminationStatus, text, error))
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    @Test(
        "the devflow binary: runs list --server --token, and runs logs --follow with DEVFLOW_SERVER and DEVFLOW_TOKEN",
        .enabled(if: FileManager.default.isExecutableFile(atPath: ServerProcessTests.devflow)))
    func binary() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(pipeline: "nightly", status: .running, nodes: ["build": "running"])
        try APILogsTests.appendLines(fixture, run: run, count: 3)
        try await buildApplication(fixture.context).test(.live) { client in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let token = fixture.tokens[.viewer] ?? ""
            let (code, text, errors) = try await Self.devflow(["runs", "list", "--server", server, "--token", token])
            #expect(code == 0, "\(errors)")
            #expect(text.contains("\(run)    running      nightly"), "\(text)")
            let finisher = Task {
                try await Task.sleep(nanoseconds: 300_000_000)
                try APILogsTests.appendLines(fixture, run: run, from: 3, count: 1)
                try fixture.store.finishNode(
                    NodeRecord(
                        runId: run, nodeId: "build", status: .succeeded, reason: nil, attempts: 1, startedAt: Date(),
                        finishedAt: Date(), fingerprint: nil, allowedFailure: false), outputs: [:])
            }
            let followed = try await Self.devflow(
                ["runs", "logs", "\(run)", "build", "--follow"],
                environment: ["DEVFLOW_SERVER": server, "DEVFLOW_TOKEN": token])
            try await finisher.value
            #expect(followed.0 == 0, "\(followed.2)")
            #expect(followed.1 == "line 0\nline 1\nline 2\nline 3\n")
            #expect(followed.2 == "devflow: node build succeeded\n")
            let local = try await Self.devflow(["runs", "logs", "1", "--follow"])
            #expect(local.0 != 0 && local.2.contains("--follow needs --server"))
        }
    }

    @Test("a server without a token in the flags or the environment is a usage error")
    func needsToken() {
        switch RemoteCommands.client(server: "http://localhost:1", token: nil, environment: [:]) {
        case .failure(let output): #expect(output.code == 2 && output.errors.contains("DEVFLOW_TOKEN"))
        default: Issue.record("expected a usage error")
        }
        #expect(RemoteCommands.client(server: nil, token: "x", environment: [:]) == nil)
        if case .success(let client) = RemoteCommands.client(
            server: nil, token: nil, environment: ["DEVFLOW_SERVER": "http://h:1", "DEVFLOW_TOKEN": "t"])
        {
            #expect(client.server == "http://h:1" && client.token == "t")
        } else {
            Issue.record("the environment names a server")
        }
    }
}
