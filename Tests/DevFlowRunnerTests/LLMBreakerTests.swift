import ChatCompletionsTestServer
import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
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
        let store = try SQLiteRunStore(path: ":memory:")
        let clock = ManualClock()
        let executor = ProcessStepExecutor(agents: BuiltInAgentHost(llm: LLMAgentHost(sleep: { _ in })))
        func run() async throws -> RunSummary {
            let request = RunRequest(
                graph: graph, file: "review.yml", event: PlanEvent(kind: "push", branch: "main"), workspace: workspace,
                jobs: 1, environment: ["PATH": "/usr/bin:/bin"])
            return try await RunEngine(request: request, store: store, executor: executor, clock: clock).run()
        }

        for _ in 0..<2 { #expect(try await run().nodes["review"] == "failed") }
        #expect(server.requests.count == 2)
        #expect(try store.breakers().first?.state == "open")
        let attempts = try store.attempts(run: 2)
        #expect(attempts.first?.error?.hasPrefix("llm: HTTP 500 from the server: model crashed") == true)

        let skipped = try await run()
        #expect(skipped.nodes["review"] == "skipped")
        #expect(server.requests.count == 2, "an open breaker must not reach the server")

        try await clock.sleep(seconds: 61)
        server.play([], fallback: .completion(#"{"findings": [], "summary": "fine"}"#))
        let probe = try await run()
        #expect(probe.nodes["review"] == "succeeded")
        #expect(server.requests.count == 3)
        #expect(try store.transitions(breaker: "llm").map(\.toState) == ["open", "half_open", "closed"])
        #expect(try store.breakers().first?.state == "closed")
        #expect(try store.outputs(run: probe.runId)["review"]?["tokens"] == "120")
    }
}
