import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

/// Pausing a run from the store (the API's pause): nothing new starts while it is paused, a cancel still ends it;
/// and a rerun from a node runs that node and its dependents again while reusing the rest.
@Suite struct PauseAndRerunTests {
    /// Pauses the run in the store as soon as it is recorded, before its first heartbeat reads the pause.
    final class PauseAtStart: RunObserver, @unchecked Sendable {
        let store: any ServerStore
        private let lock = NSLock()
        private var id: Int64?
        init(store: any ServerStore) { self.store = store }
        var run: Int64? { lock.withLock { id } }
        func observe(_ event: RunEvent) {
            guard case .runStarted(let run, _, _) = event else { return }
            lock.withLock { id = run }
            _ = try? store.pause(run: run, at: Date())
        }
    }

    static let chain =
        EngineTests.header + """
            steps:
              a: {run: a}
              b: {run: b, needs: [a]}
              c: {run: c, needs: [b]}
            """

    func engine(
        _ yaml: String, store: any ServerStore, executor: ScriptedExecutor, observer: PauseAtStart? = nil,
        resume: Int64? = nil, rerunFrom: String? = nil, jobs: Int = 2
    ) throws -> RunEngine {
        var request = RunRequest(
            graph: try EngineTests.graph(yaml), file: "test.yml", event: PlanEvent(kind: "push", branch: "main"),
            workspace: FileManager.default.temporaryDirectory.path, jobs: jobs, resume: resume,
            environment: ["PATH": "/usr/bin:/bin"])
        request.rerunFrom = rerunFrom
        return RunEngine(request: request, store: store, executor: executor, observer: observer)
    }

    @Test("a paused run starts no step until it is resumed, then runs to the end", arguments: [1, 2])
    func pausedRunWaitsForResume(jobs: Int) async throws {
        let store = try TestStore.open()
        let executor = ScriptedExecutor()
        let observer = PauseAtStart(store: store)
        let engine = try engine(Self.chain, store: store, executor: executor, observer: observer, jobs: jobs)
        let running = Task { try await engine.run() }
        // Two heartbeats pass (the engine reads the pause before its first step and at every beat).
        try await Task.sleep(nanoseconds: 2_200_000_000)
        #expect(executor.invocations.isEmpty, "a step started while the run was paused")
        let id = try #require(observer.run)
        #expect(try store.run(id)?.pausedAt != nil)
        #expect(try store.resume(run: id))
        let summary = try await running.value
        #expect(summary.status == .succeeded)
        #expect(executor.invocations.map(\.node.id) == ["a", "b", "c"])
    }

    @Test("cancelling a paused run ends it: its steps end cancelled without running")
    func cancellingAPausedRun() async throws {
        let store = try TestStore.open()
        let executor = ScriptedExecutor()
        let observer = PauseAtStart(store: store)
        let engine = try engine(Self.chain, store: store, executor: executor, observer: observer)
        let running = Task { try await engine.run() }
        try await Task.sleep(nanoseconds: 300_000_000)
        engine.cancellation.cancel(graceful: true)
        let summary = try await running.value
        #expect(summary.status == .cancelled)
        #expect(executor.invocations.isEmpty)
        #expect(try store.nodes(run: summary.runId).map(\.status) == [.cancelled, .cancelled, .cancelled])
    }

    @Test("a rerun from a node runs it and what needs it again; the rest is reused with its outputs")
    func rerunFromANode() async throws {
        let yaml =
            EngineTests.header + """
                steps:
                  version: {run: v, outputs: [value]}
                  build: {run: b, needs: [version], env: {V: "${{ steps.version.outputs.value }}"}}
                  test: {run: t, needs: [build]}
                  docs: {run: d, needs: [version]}
                """
        let store = try TestStore.open()
        let first = ScriptedExecutor(["version": [AttemptOutcome(kind: .succeeded, outputs: ["value": "7"])]])
        let original = try await engine(yaml, store: store, executor: first).run()
        #expect(original.status == .succeeded)
        let again = ScriptedExecutor()
        let rerun = try await engine(yaml, store: store, executor: again, resume: original.runId, rerunFrom: "build")
            .run()
        #expect(rerun.status == .succeeded)
        #expect(again.invocations.map(\.node.id).sorted() == ["build", "test"])
        #expect(again.calls("build").first?.environment["V"] == "7")
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: rerun.runId).map { ($0.nodeId, $0.status) })
        #expect(nodes == ["version": .reused, "docs": .reused, "build": .succeeded, "test": .succeeded])
        await #expect(throws: RunnerError.self) {
            _ = try await engine(
                yaml, store: store, executor: ScriptedExecutor(), resume: original.runId,
                rerunFrom: "nope"
            ).run()
        }
    }
}
