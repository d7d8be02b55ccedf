import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

/// `$DEVFLOW_ENV` through real step processes: variables reach the nodes that need the step (directly or through
/// others) and no other, under their own `env:`; reserved names fail the step; resume takes them from the store.
@Suite struct StepEnvironmentTests {
    static let header = StepOutputsTests.header

    @Test func variablesReachTheTransitiveDependentsOnly() async throws {
        let yaml =
            Self.header + """
                steps:
                  setup:
                    run: |
                      echo "GREETING=hello" >> "$DEVFLOW_ENV"
                      { echo "NOTES<<END"; echo "a"; echo "b"; echo "END"; } >> "$DEVFLOW_ENV"
                  later: {needs: [setup], run: 'echo "SETUP_SEEN=yes" >> "$DEVFLOW_ENV"'}
                  direct: {needs: [setup], run: 'test "$GREETING" = hello && test "$NOTES" = "$(printf "a\\nb")"'}
                  transitive: {needs: [later], run: 'test "$GREETING" = hello && test "$SETUP_SEEN" = yes'}
                  mine: {needs: [setup], env: {GREETING: own}, run: 'test "$GREETING" = own'}
                  templated: {needs: [setup], run: 'test "${{ env.GREETING }}" = hello'}
                  unrelated: {run: 'test -z "${GREETING:-}"'}
                """
        let (summary, store) = try await StepOutputsTests.run(yaml)
        let errors = try store.nodes(run: summary.runId).filter { $0.status != .succeeded }.map {
            "\($0.nodeId): \($0.reason ?? "")"
        }
        #expect(summary.status == .succeeded, "\(errors)")
        #expect(try store.exportedVariables(run: summary.runId)["setup"] == ["GREETING": "hello", "NOTES": "a\nb"])
    }

    @Test func theVariableSetClosestOnTheChainWinsInADiamond() async throws {
        let yaml =
            Self.header + """
                steps:
                  a: {run: 'echo "X=from-a" >> "$DEVFLOW_ENV"'}
                  b: {needs: [a], run: 'echo "X=from-b" >> "$DEVFLOW_ENV"'}
                  c: {needs: [a], run: 'test "$X" = from-a'}
                  d: {needs: [c, b], run: 'test "$X" = from-b'}
                  e: {needs: [c], run: 'test "$X" = from-a'}
                """
        let (summary, store) = try await StepOutputsTests.run(yaml)
        let failed = try store.nodes(run: summary.runId).filter { $0.status != .succeeded }.map(\.nodeId)
        #expect(summary.status == .succeeded, "\(failed)")
    }

    @Test func aReservedNameFailsTheStep() async throws {
        let yaml =
            Self.header + """
                steps:
                  hijack: {run: 'echo "PATH=/tmp/evil" >> "$DEVFLOW_ENV"'}
                  after: {needs: [hijack], run: 'true'}
                """
        let (summary, store) = try await StepOutputsTests.run(yaml)
        #expect(summary.status == .failed)
        let attempt = try #require(try store.attempts(run: summary.runId).first)
        #expect(attempt.status == .error)
        #expect(
            attempt.error?.hasPrefix(
                "$DEVFLOW_ENV line 1: 'PATH=/tmp/evil': 'PATH' is reserved: a step cannot set DEVFLOW_*, PATH") == true,
            "\(attempt.error ?? "")")
        #expect(try store.exportedVariables(run: summary.runId).isEmpty)
    }

    @Test func anExecutorsVariablesAreCheckedLikeTheFile() async throws {
        let yaml = Self.header + "steps:\n  a: {run: ./a.sh}\n"
        var outcome = AttemptOutcome(kind: .succeeded)
        outcome.environment = ["DEVFLOW_STEP": "other"]
        let (summary, store) = try await StepOutputsTests.run(yaml, executor: ScriptedExecutor(["a": [outcome]]))
        #expect(summary.status == .failed)
        #expect(
            try store.attempts(run: summary.runId).first?.error?.hasPrefix(
                "the step's environment: 'DEVFLOW_STEP' is reserved") == true)
    }

    @Test func resumeGivesDependentsTheVariablesFromTheStore() async throws {
        let yaml =
            Self.header + """
                steps:
                  setup: {run: 'echo ran >> "$MARKS/setup"; echo "GREETING=from-run-1" >> "$DEVFLOW_ENV"'}
                  use: {needs: [setup], run: 'test -e "$MARKS/go" && echo "$GREETING" > "$MARKS/greeting"'}
                """
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-env-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let store = try TestStore.open()
        let (first, _) = try await StepOutputsTests.run(yaml, store: store, environment: ["MARKS": marks])
        #expect(first.status == .failed)
        FileManager.default.createFile(atPath: "\(marks)/go", contents: Data())
        let (second, _) = try await StepOutputsTests.run(
            yaml, store: store, environment: ["MARKS": marks], resume: first.runId)
        #expect(second.status == .succeeded)
        #expect(try String(contentsOfFile: "\(marks)/setup", encoding: .utf8) == "ran\n", "setup ran once")
        #expect(try String(contentsOfFile: "\(marks)/greeting", encoding: .utf8) == "from-run-1\n")
        #expect(try store.exportedVariables(run: second.runId)["setup"] == ["GREETING": "from-run-1"])
    }
}
