import Foundation
import Testing

@testable import DevFlowStore

/// Checkpoints run off the writers' path: a store that writes more than the threshold has its log copied back by
/// the checkpointer's own connection, and every write stays readable.
@Suite struct WALCheckpointerTests {
    @Test func aGrowingLogIsCheckpointedInTheBackground() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-wal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteRunStore(path: directory + "/devflow.sqlite")
        let checkpointer = try #require(store.checkpointer)
        let run = try store.startRun(RunStoreTests.run(), nodes: ["build"])
        let id = try #require(run.id)
        let line = String(repeating: "x", count: 1000)
        // About 8 MiB of log lines in small commits: twice the threshold.
        for batch in 0..<80 {
            try store.appendLog(
                run: id, node: "build", attempt: 1, stream: "stdout",
                lines: Array(repeating: "\(batch) \(line)", count: 100))
        }
        let deadline = Date().addingTimeInterval(10)
        while checkpointer.completed == 0, Date() < deadline { usleep(20_000) }
        #expect(checkpointer.completed > 0)
        let chunks = try store.logs(run: id, node: "build")
        #expect(chunks.reduce(0) { $0 + $1.text.split(separator: "\n").count } == 8000)
    }
}
