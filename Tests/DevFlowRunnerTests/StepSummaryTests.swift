import DevFlowRunner
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

/// `$DEVFLOW_SUMMARY`: a step's Markdown, masked and stored with its node, bounded, and kept by resume.
@Suite struct StepSummaryTests {
    static let header = StepOutputsTests.header

    @Test func theSummaryIsStoredMaskedWithTheNode() async throws {
        let yaml =
            Self.header + """
                steps:
                  report:
                    env: {TOKEN: "${{ secrets.TOKEN }}"}
                    run: |
                      echo "## Tests" >> "$DEVFLOW_SUMMARY"
                      echo "- 12 passed with $TOKEN" >> "$DEVFLOW_SUMMARY"
                  quiet: {run: 'true'}
                """
        let (summary, store) = try await StepOutputsTests.run(yaml)
        #expect(summary.status == .succeeded)
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: summary.runId).map { ($0.nodeId, $0) })
        #expect(nodes["report"]?.summary == "## Tests\n- 12 passed with ***\n")
        #expect(nodes["quiet"]?.summary == nil)
    }

    @Test func aSummaryOverOneMebibyteFailsTheStep() async throws {
        let yaml =
            Self.header + "steps:\n  big: {run: 'head -c 1048577 /dev/zero | tr \"\\\\0\" x >> \"$DEVFLOW_SUMMARY\"'}\n"
        let (summary, store) = try await StepOutputsTests.run(yaml)
        #expect(summary.status == .failed)
        let attempt = try #require(try store.attempts(run: summary.runId).first)
        #expect(attempt.status == .error)
        #expect(
            attempt.error?.hasPrefix(
                "$DEVFLOW_SUMMARY: the file is 1.0 MiB (1048577 bytes); it may hold at most 1 MiB") == true,
            "\(attempt.error ?? "")")
        #expect(try store.nodes(run: summary.runId).first?.summary == nil)
    }

    @Test func aResumedNodeKeepsItsSummary() async throws {
        let yaml =
            Self.header + """
                steps:
                  first: {run: 'echo "first ran" >> "$DEVFLOW_SUMMARY"'}
                  second: {needs: [first], run: 'test -e "$MARKS/go"'}
                """
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-sum-\(UUID().uuidString)")
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
        let reused = try #require(try store.nodes(run: second.runId).first { $0.nodeId == "first" })
        #expect(reused.status == .reused)
        #expect(reused.summary == "first ran\n")
    }
}
