import ChatCompletionsTestServer
import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLLMHost
import DevFlowRunner
import DevFlowStore
import DevFlowStoreTestSupport
import DevFlowTestSupport
import Foundation
import Testing

/// `uses: llm` through the engine, against a local chat-completions server: the runner's circuit breaker opens
/// after repeated 500s, skips calls without reaching the server while open, and closes after a successful
/// half-open probe. The engine's clock is injected; the client's retry waits are recorded, never slept.
@Suite struct LLMBreakerTests {
    static func pipeline(endpoint: String) -> String {
        """
        version: 1
        name: review
        on: {push: {branches: [main]}}
        policies:
          circuit_breakers:
            llm: {failure_rate: 50%, minimum_calls: 2, window: {calls: 10}, open_for: 1m, half_open_calls: 1, when_open: skip}
        steps:
          review:
            agent: llm
            circuit_breaker: llm
            with: {endpoint: "\(endpoint)", model: test-model, scope: all, max_retries: 0, fail_on: high}
        """
    }

    @Test func theBreakerOpensAfter500sAndClosesAfterASuccessfulProbe() async throws {
        let server = try await ChatCompletionsServer.start([], fallback: .error(500, "model crashed"))
        defer { Task { await server.stop() } }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-llm-\(UUID())").path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try "print('hello')\n".write(toFile: "\(workspace)/app.py", atomically: true, encoding: .utf8)
        let compilation = Compiler.compile(
            SourceFile(path: "review.yml", text: Self.pipeline(endpoint: server.endpoint)))
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        let graph = try #require(compilation.graph)
        let store = try TestStore.open()
        let clock = ManualClock()
        let executor = ProcessStepExecutor(agents: BuiltInAgentHost(llm: LLMAgentHost(sleep: { _ in })))
        func run() async throws -> RunSummary {
            let request = RunRequest(
                graph: graph, file: "review.yml", event: PlanEvent(kind: "push", branch: "main"), workspace: workspace,
                jobs: 1, environment: ["PATH": "/usr/bin:/bin"])
            return try await RunEngine(request: request, store: store, executor: executor, clock: clock).run()
        }

        for _ in 0..<2 { #expect(try await run().nodes["review"] == .failed) }
        #expect(server.requests.count == 2)
        #expect(try store.breakers().first?.state == "open")
        let attempts = try store.attempts(run: 2)
        #expect(attempts.first?.error?.hasPrefix("llm: HTTP 500 from the server: model crashed") == true)

        let skipped = try await run()
        #expect(skipped.nodes["review"] == .skipped)
        #expect(server.requests.count == 2, "an open breaker must not reach the server")

        try await clock.sleep(seconds: 61)
        server.play([], fallback: .completion(#"{"findings": [], "summary": "fine"}"#))
        let probe = try await run()
        #expect(probe.nodes["review"] == .succeeded)
        #expect(server.requests.count == 3)
        #expect(try store.transitions(breaker: "llm").map(\.toState) == ["open", "half_open", "closed"])
        #expect(try store.breakers().first?.state == "closed")
        #expect(try store.outputs(run: probe.runId)["review"]?["tokens"] == "120")
    }

    /// The runner links no HTTP client: a host built without the llm agent fails its steps with a message, and never
    /// reaches the endpoint.
    @Test func aRunnerWithoutTheLLMHostFailsTheStepAndSaysSo() async throws {
        let server = try await ChatCompletionsServer.start([], fallback: .error(500, "must not be called"))
        defer { Task { await server.stop() } }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-llm-\(UUID())").path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let graph = try #require(
            Compiler.compile(SourceFile(path: "review.yml", text: Self.pipeline(endpoint: server.endpoint))).graph)
        let store = try TestStore.open()
        let request = RunRequest(
            graph: graph, file: "review.yml", event: PlanEvent(kind: "push", branch: "main"), workspace: workspace,
            jobs: 1, environment: ["PATH": "/usr/bin:/bin"])
        let summary = try await RunEngine(request: request, store: store, executor: ProcessStepExecutor()).run()
        #expect(summary.nodes["review"] == .failed)
        let error = try store.attempts(run: summary.runId).first?.error ?? ""
        #expect(error.contains("uses the built-in 'llm', which this runner was started without"), "\(error)")
        #expect(server.requests.isEmpty)
    }

    @Test func aStepReviewsTheHunksOfTheLastCommitAndNeverLogsTheKey() async throws {
        let answer =
            #"{"findings": [{"rule": "unsafe-eval", "severity": "high", "file": "app.py", "line": 2, "#
            + #""message": "eval of user input"}], "summary": "one problem"}"#
        let server = try await ChatCompletionsServer.start([.completion(answer)])
        defer { Task { await server.stop() } }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-llm-\(UUID())").path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let git = try #require(Repository.executable("git"))
        try "a = 1\n".write(toFile: "\(workspace)/app.py", atomically: true, encoding: .utf8)
        for arguments in [
            ["init", "-q", "-b", "main"], ["config", "user.name", "Dev"], ["config", "user.email", "dev@example.com"],
            ["add", "."], ["commit", "-q", "-m", "start"],
        ] {
            #expect(Repository.run(git, arguments, directory: workspace).status == 0)
        }
        try "a = 1\nb = eval(input())\n".write(toFile: "\(workspace)/app.py", atomically: true, encoding: .utf8)
        #expect(Repository.run(git, ["commit", "-q", "-am", "eval"], directory: workspace).status == 0)
        let yaml = """
            version: 1
            name: review
            on: {push: {branches: [main]}}
            secrets: [LLM_KEY]
            steps:
              review:
                agent: llm
                with: {endpoint: "\(server.endpoint)", model: m, api_key: "${{ secrets.LLM_KEY }}"}
            """
        let graph = try #require(Compiler.compile(SourceFile(path: "review.yml", text: yaml)).graph)
        let store = try TestStore.open()
        let request = RunRequest(
            graph: graph, file: "review.yml", event: PlanEvent(kind: "push", branch: "main"), workspace: workspace,
            jobs: 1, environment: ["PATH": "/usr/bin:/bin", "LLM_KEY": "sk-live-do-not-print"])
        let executor = ProcessStepExecutor(agents: BuiltInAgentHost(llm: LLMAgentHost(sleep: { _ in })))
        let summary = try await RunEngine(request: request, store: store, executor: executor, clock: ManualClock())
            .run()
        #expect(summary.nodes["review"] == .failed)
        let sent = try #require(server.requests.first)
        #expect(sent.headers["authorization"] == "Bearer sk-live-do-not-print")
        #expect(sent.messages.last?.content.contains("+     2 | b = eval(input())") == true)
        #expect(sent.messages.last?.content.contains("\n      1 | a = 1") == true)
        #expect(
            try store.findings(run: summary.runId).map { "\($0.file):\($0.line) \($0.rule)" } == [
                "app.py:2 unsafe-eval"
            ])
        let logs = try store.logs(run: summary.runId, node: nil).map(\.text).joined(separator: "\n")
        #expect(logs.contains("llm: 1 finding from m"))
        #expect(!logs.contains("sk-live-do-not-print"))
    }
}
