import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

/// A clock that never sleeps: waiting advances it.
final class ManualClock: RunnerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_700_000_000)
    private(set) var slept: [Double] = []

    func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func sleep(seconds: Double) async throws { advance(seconds) }

    private func advance(_ seconds: Double) {
        lock.withLock {
            slept.append(seconds)
            current += seconds
        }
    }
}

/// An executor that plays a script: each node's attempts return the next outcome in its list.
final class ScriptedExecutor: StepExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [String: [AttemptOutcome]]
    private(set) var invocations: [StepInvocation] = []

    init(_ script: [String: [AttemptOutcome]] = [:]) { self.script = script }

    func execute(_ invocation: StepInvocation) async -> AttemptOutcome {
        let outcome = next(invocation)
        invocation.onLine(
            "stdout", "running \(invocation.node.id) with secret \(invocation.environment["TOKEN"] ?? "")")
        return outcome
    }

    private func next(_ invocation: StepInvocation) -> AttemptOutcome {
        lock.withLock {
            invocations.append(invocation)
            var outcomes = script[invocation.node.id] ?? []
            let outcome = outcomes.isEmpty ? AttemptOutcome(kind: .succeeded) : outcomes.removeFirst()
            script[invocation.node.id] = outcomes
            return outcome
        }
    }

    func calls(_ node: String) -> [StepInvocation] {
        lock.lock()
        defer { lock.unlock() }
        return invocations.filter { $0.node.id == node }
    }
}

@Suite struct EngineTests {
    static func graph(_ yaml: String) throws -> ExecutionGraph {
        let compilation = Compiler.compile(SourceFile(path: "test.yml", text: yaml))
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        return try #require(compilation.graph)
    }

    static func run(
        _ yaml: String, executor: ScriptedExecutor, store: (any ServerStore)? = nil, clock: ManualClock = ManualClock(),
        resume: Int64? = nil, failFast: Bool = false, force: Bool = false,
        workspace: String = FileManager.default.temporaryDirectory.path
    ) async throws -> (RunSummary, any ServerStore) {
        let store = try store ?? TestStore.open()
        let request = RunRequest(
            graph: try graph(yaml), file: "test.yml", event: PlanEvent(kind: "push", branch: "main"),
            workspace: workspace, jobs: 2,
            resume: resume, force: force, failFast: failFast,
            environment: ["TOKEN": "s3cr3t-value", "PATH": "/usr/bin:/bin"])
        let engine = RunEngine(request: request, store: store, executor: executor, clock: clock)
        return (try await engine.run(), store)
    }

    static let header = "version: 1\nname: t\non: {push: {branches: [main]}}\n"

    @Test func outputsFlowToDependentsAndEverythingIsRecorded() async throws {
        let yaml =
            Self.header + """
                steps:
                  version: {run: ./version.sh, outputs: [value]}
                  build: {run: make, needs: [version], env: {VERSION: "${{ steps.version.outputs.value }}"}}
                  test: {run: "make test", needs: [version]}
                  report: {run: echo ok, needs: [build, test]}
                """
        let executor = ScriptedExecutor(["version": [AttemptOutcome(kind: .succeeded, outputs: ["value": "1.2.3"])]])
        let (summary, store) = try await Self.run(yaml, executor: executor)
        #expect(summary.status == .succeeded)
        #expect(executor.calls("build").first?.environment["VERSION"] == "1.2.3")
        #expect(executor.calls("build").first?.environment["DEVFLOW_ATTEMPT"] == "1")
        #expect(try store.outputs(run: summary.runId)["version"] == ["value": "1.2.3"])
        #expect(try store.nodes(run: summary.runId).allSatisfy { $0.status == .succeeded })
        #expect(try store.attempts(run: summary.runId).count == 4)
        #expect(try store.run(summary.runId)?.graphHash.count == 64)
    }

    @Test func flakyStepPassesOnRetryWithoutSleeping() async throws {
        let yaml =
            Self.header + """
                policies:
                  retry:
                    transient: {attempts: 3, backoff: {initial: 2s, factor: 2, max: 1m, jitter: none}, on: [exit:75]}
                steps:
                  flaky: {run: ./flaky.sh, retry: transient}
                """
        let executor = ScriptedExecutor([
            "flaky": [AttemptOutcome(kind: .failed, exitCode: 75), AttemptOutcome(kind: .failed, exitCode: 75)]
        ])
        let clock = ManualClock()
        let (summary, store) = try await Self.run(yaml, executor: executor, clock: clock)
        #expect(summary.status == .succeeded)
        #expect(clock.slept == [2, 4])
        let attempts = try store.attempts(run: summary.runId)
        #expect(attempts.map(\.status) == [.failed, .failed, .succeeded])
        #expect(attempts.map(\.exitCode) == [75, 75, nil])
        #expect(attempts[0].retryReason == "exit:75; retrying in 2.00s")
        #expect(attempts[2].retryReason == nil)
    }

    @Test func failureSkipsDependentsButNotIndependentBranches() async throws {
        let yaml =
            Self.header + """
                steps:
                  broken: {run: "false"}
                  after: {run: echo, needs: [broken]}
                  cleanup: {run: echo, needs: [broken], if: "${{ always() }}"}
                  notify: {run: echo, needs: [broken], if: "${{ failure() }}"}
                  lenient: {run: "false", continue_on_error: true}
                  downstream: {run: echo, needs: [lenient]}
                  independent: {run: echo}
                """
        let executor = ScriptedExecutor([
            "broken": [AttemptOutcome(kind: .failed, exitCode: 1)],
            "lenient": [AttemptOutcome(kind: .failed, exitCode: 2)],
        ])
        let (summary, store) = try await Self.run(yaml, executor: executor)
        #expect(summary.status == .failed)
        #expect(summary.nodes["after"] == .skipped)
        #expect(summary.nodes["cleanup"] == .succeeded)
        #expect(summary.nodes["notify"] == .succeeded)
        #expect(summary.nodes["downstream"] == .succeeded)
        #expect(summary.nodes["independent"] == .succeeded)
        let after = try store.nodes(run: summary.runId).first { $0.nodeId == "after" }
        #expect(after?.reason == "needs 'broken', which failed")
    }

    @Test func failFastCancelsWhatHasNotStarted() async throws {
        let yaml =
            Self.header + """
                steps:
                  broken: {run: "false"}
                  later: {run: echo, needs: [broken], if: "${{ always() }}"}
                """
        let executor = ScriptedExecutor(["broken": [AttemptOutcome(kind: .failed, exitCode: 1)]])
        let (summary, _) = try await Self.run(yaml, executor: executor, failFast: true)
        #expect(summary.status == .cancelled)
        #expect(executor.calls("later").isEmpty)
    }

    @Test func breakerSharedThroughTheStoreOpensAndSkips() async throws {
        let yaml =
            Self.header + """
                policies:
                  circuit_breakers:
                    api: {failure_rate: 50%, minimum_calls: 2, window: {calls: 10}, open_for: 5m, when_open: skip}
                steps:
                  call: {run: ./call.sh, circuit_breaker: api}
                """
        let store = try TestStore.open()
        let clock = ManualClock()
        for _ in 0..<2 {
            _ = try await Self.run(
                yaml, executor: ScriptedExecutor(["call": [AttemptOutcome(kind: .failed, exitCode: 1)]]), store: store,
                clock: clock)
        }
        let executor = ScriptedExecutor()
        let (third, _) = try await Self.run(yaml, executor: executor, store: store, clock: clock)
        #expect(third.nodes["call"] == .skipped)
        #expect(executor.calls("call").isEmpty)
        #expect(try store.transitions(breaker: "api").map(\.toState) == ["open"])
        #expect(try store.attempts(run: third.runId).first?.status == .breakerOpen)
    }

    @Test func resumeReusesSuccessesAndRerunsTheRest() async throws {
        let yaml =
            Self.header + """
                steps:
                  a: {run: echo a, outputs: [x]}
                  b: {run: echo b, needs: [a], env: {X: "${{ steps.a.outputs.x }}"}}
                """
        let store = try TestStore.open()
        let first = ScriptedExecutor([
            "a": [AttemptOutcome(kind: .succeeded, outputs: ["x": "42"])],
            "b": [AttemptOutcome(kind: .failed, exitCode: 1)],
        ])
        let (failed, _) = try await Self.run(yaml, executor: first, store: store)
        #expect(failed.status == .failed)
        let second = ScriptedExecutor()
        let (resumed, _) = try await Self.run(yaml, executor: second, store: store, resume: failed.runId)
        #expect(resumed.status == .succeeded)
        #expect(second.calls("a").isEmpty)
        #expect(second.calls("b").first?.environment["X"] == "42")
        #expect(try store.run(resumed.runId)?.resumedFrom == failed.runId)
    }

    @Test func upToDateStepsAreSkippedUnlessForced() async throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-ws-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: "\(workspace)/src", withIntermediateDirectories: true)
        try "let a = 1".write(toFile: "\(workspace)/src/a.swift", atomically: true, encoding: .utf8)
        let yaml = Self.header + "steps:\n  build: {run: swift build, inputs: [\"src/**\"]}\n"
        let store = try TestStore.open()
        _ = try await Self.run(yaml, executor: ScriptedExecutor(), store: store, workspace: workspace)
        let second = ScriptedExecutor()
        let (unchanged, _) = try await Self.run(yaml, executor: second, store: store, workspace: workspace)
        #expect(unchanged.nodes["build"] == .upToDate)
        #expect(second.calls("build").isEmpty)
        try "let a = 2".write(toFile: "\(workspace)/src/a.swift", atomically: true, encoding: .utf8)
        let third = ScriptedExecutor()
        _ = try await Self.run(yaml, executor: third, store: store, workspace: workspace)
        #expect(third.calls("build").count == 1)
        let forced = ScriptedExecutor()
        _ = try await Self.run(yaml, executor: forced, store: store, force: true, workspace: workspace)
        #expect(forced.calls("build").count == 1)
    }

    @Test func declaredSecretsAreMaskedInLogsAndOutputs() async throws {
        let yaml =
            Self.header + """
                secrets: [TOKEN]
                steps:
                  publish: {run: ./publish.sh, env: {TOKEN: "${{ secrets.TOKEN }}"}}
                """
        let executor = ScriptedExecutor([
            "publish": [AttemptOutcome(kind: .succeeded, outputs: ["echo": "used s3cr3t-value"])]
        ])
        let (summary, store) = try await Self.run(yaml, executor: executor)
        #expect(executor.calls("publish").first?.environment["TOKEN"] == "s3cr3t-value")
        let logs = try store.logs(run: summary.runId, node: nil).map(\.text).joined()
        #expect(logs.contains("***") && !logs.contains("s3cr3t-value"))
        #expect(try store.outputs(run: summary.runId)["publish"] == ["echo": "used ***"])
    }

    @Test func matrixLegsRunSeparately() async throws {
        let yaml =
            Self.header
            + "steps:\n  test: {run: \"swift test --filter ${{ matrix.suite }}\", matrix: {suite: [Core, Server]}}\n"
        let executor = ScriptedExecutor()
        let (summary, _) = try await Self.run(yaml, executor: executor)
        #expect(Set(summary.nodes.keys) == ["test[suite=Core]", "test[suite=Server]"])
        #expect(executor.calls("test[suite=Core]").first?.script == "swift test --filter Core")
        #expect(executor.calls("test[suite=Server]").first?.environment["DEVFLOW_MATRIX_SUITE"] == "Server")
    }
}
