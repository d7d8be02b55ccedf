import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowRunner
import DevFlowStepIO
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

/// Outputs through real step processes: multi-line values reach dependents, and a step whose outputs break the rules
/// fails with the message in its attempt and node records, whatever its exit status.
@Suite struct StepOutputsTests {
    static let header =
        "version: 1\nname: t\non: {push: {branches: [main]}}\ndefaults: {shell: sh -eu}\nsecrets: [TOKEN]\n"

    static func run(
        _ yaml: String, executor: (any StepExecutor)? = nil, store: (any ServerStore)? = nil,
        environment: [String: String] = [:], resume: Int64? = nil
    ) async throws -> (RunSummary, any ServerStore) {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-outputs-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let compilation = Compiler.compile(SourceFile(path: "test.yml", text: yaml))
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        let store = try store ?? TestStore.open()
        let request = RunRequest(
            graph: try #require(compilation.graph), file: "test.yml", event: PlanEvent(kind: "push", branch: "main"),
            workspace: workspace, jobs: 1, resume: resume,
            environment: ["TOKEN": "s3cr3t-value", "PATH": "/usr/bin:/bin"].merging(environment) { _, new in new })
        let engine = RunEngine(
            request: request, store: store, executor: executor ?? ProcessStepExecutor(killGrace: 1),
            clock: ManualClock())
        return (try await engine.run(), store)
    }

    @Test func multiLineOutputsReachTheStepsThatNeedThem() async throws {
        let yaml =
            Self.header + """
                steps:
                  notes:
                    run: |
                      printf 'version=1.2.3\\r\\n' >> "$DEVFLOW_OUTPUT"
                      { echo "changelog<<EOF_42"; echo "- fixed a"; echo; echo "- fixed b"; echo "EOF_42"; } >> "$DEVFLOW_OUTPUT"
                  use:
                    needs: [notes]
                    env: {LOG: "${{ steps.notes.outputs.changelog }}", V: "${{ steps.notes.outputs.version }}"}
                    run: 'test "$LOG" = "$(printf -- "- fixed a\\n\\n- fixed b")" && test "$V" = 1.2.3'
                """
        let (summary, store) = try await Self.run(yaml)
        let errors = try store.attempts(run: summary.runId).compactMap(\.error)
        #expect(summary.status == .succeeded, "\(errors)")
        #expect(
            try store.outputs(run: summary.runId)["notes"] == [
                "version": "1.2.3", "changelog": "- fixed a\n\n- fixed b",
            ])
    }

    @Test func aMalformedOutputsFileFailsAStepThatExitedZero() async throws {
        let yaml =
            Self.header + """
                steps:
                  leaky:
                    env: {TOKEN: "${{ secrets.TOKEN }}"}
                    run: |
                      echo "ok=1" >> "$DEVFLOW_OUTPUT"
                      echo "token is $TOKEN" >> "$DEVFLOW_OUTPUT"
                  after: {needs: [leaky], run: 'true'}
                """
        let (summary, store) = try await Self.run(yaml)
        #expect(summary.status == .failed)
        let attempt = try #require(try store.attempts(run: summary.runId).first { $0.nodeId == "leaky" })
        let expected =
            "$DEVFLOW_OUTPUT line 2: 'token is ***': expected 'name=value', or 'name<<DELIMITER' and the value's lines up to a line 'DELIMITER'"
        #expect(attempt.status == .error)
        #expect(attempt.exitCode == 0)
        #expect(attempt.error == expected)
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: summary.runId).map { ($0.nodeId, $0) })
        #expect(nodes["leaky"]?.status == .failed)
        #expect(nodes["leaky"]?.reason == expected)
        #expect(nodes["after"]?.status == .skipped)
        #expect(try store.outputs(run: summary.runId)["leaky"] == nil, "no output of a rejected file is kept")
    }

    @Test func aStepThatAlsoFailedSaysSoAndKeepsItsExitCodeForRetries() async throws {
        let yaml =
            Self.header + """
                policies:
                  retry:
                    twice: {attempts: 2, backoff: {initial: 1s, jitter: none}, on: [exit:3]}
                steps:
                  both: {retry: twice, run: 'echo "notes<<EOF" >> "$DEVFLOW_OUTPUT"; exit 3'}
                """
        let (summary, store) = try await Self.run(yaml)
        #expect(summary.status == .failed)
        let attempts = try store.attempts(run: summary.runId)
        #expect(attempts.map(\.status) == [.error, .error])
        #expect(attempts.map(\.exitCode) == [3, 3])
        #expect(attempts[0].retryReason == "exit:3; retrying in 1.00s")
        #expect(
            attempts.last?.error
                == "$DEVFLOW_OUTPUT line 1: 'notes<<EOF': no line 'EOF' closes the value of 'notes' before the end of the file (the step also exited with 3)"
        )
    }

    @Test func agentOutputsOverTheLimitFailTheAttempt() async throws {
        let yaml =
            Self.header + """
                agents:
                  reviewer: {command: ./review.sh}
                steps:
                  review: {agent: reviewer}
                  use: {needs: [review], run: 'true'}
                """
        let big = String(repeating: "r", count: OutputLimits.outputs.valueBytes + 1)
        let executor = ScriptedExecutor([
            "review": [AttemptOutcome(kind: .succeeded, outputs: ["report": big, "count": "1"])]
        ])
        let (summary, store) = try await Self.run(yaml, executor: executor)
        #expect(summary.status == .failed)
        let attempt = try #require(try store.attempts(run: summary.runId).first)
        #expect(attempt.status == .error)
        #expect(
            attempt.error?.hasPrefix(
                "agent 'reviewer' outputs: output 'report' is 1.0 MiB (1048577 bytes); one output may hold at most 1 MiB"
            )
                == true, "\(attempt.error ?? "")")
        #expect(try store.outputs(run: summary.runId)["review"] == nil)
    }
}
