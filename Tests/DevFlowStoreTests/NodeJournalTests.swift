import Foundation
import Testing

@testable import DevFlowStore

/// The write-ahead journal of finished nodes: lines read back exactly, and a dead runner's nodes replayed.
@Suite struct NodeJournalTests {
    static let date = Date(timeIntervalSince1970: 1_732_668_000.123)

    static func commit(_ node: String, run: Int64, status: NodeStatus = .succeeded, text: String = "plain")
        -> NodeCommit
    {
        NodeCommit(
            node: NodeRecord(
                runId: run, nodeId: node, status: status, reason: "why \"\(text)\"\n\tü", attempts: 2,
                startedAt: date, finishedAt: date.addingTimeInterval(1.5), fingerprint: nil, allowedFailure: true),
            outputs: ["value": "4\"2", "empty": ""], environment: ["GREETING": "multi\nline \"quoted\""],
            attempt: AttemptRecord(
                id: nil, runId: run, nodeId: node, number: 2,
                status: AttemptStatus(rawValue: status.rawValue) ?? .error, exitCode: 0, signal: nil,
                startedAt: date, finishedAt: date.addingTimeInterval(1.5), durationMs: 1500, retryReason: nil,
                error: "\u{1}control"))
    }

    /// A run record of runner `pid` on this host, still running.
    static func running(pid: Int32) -> RunRecord {
        RunRecord(
            id: nil, pipeline: "p", file: ".devflow.yml", graphHash: "abc", graphJSON: "{}", event: "{}",
            gitCommit: nil, gitBranch: nil, gitAuthorTime: nil, status: .running, queuedAt: date, startedAt: date,
            finishedAt: nil, pid: pid, host: ProcessInfo.processInfo.hostName, heartbeatAt: date, resumedFrom: nil)
    }

    @Test func aLineReadsBackAsTheSameCommit() throws {
        let original = Self.commit("build[os=linux]", run: 7)
        let line = original.line
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"))
        let read = try #require(NodeCommit(line: line.dropLast()))
        // Dates come back at the stored (millisecond) precision.
        var node = read.node
        #expect(StoredDate.text(node.startedAt) == StoredDate.text(original.node.startedAt))
        #expect(StoredDate.text(node.finishedAt) == StoredDate.text(original.node.finishedAt))
        node.startedAt = original.node.startedAt
        node.finishedAt = original.node.finishedAt
        #expect(node == original.node)
        #expect(read.outputs == original.outputs)
        #expect(read.environment == ["GREETING": "multi\nline \"quoted\""])
        // A line written before nodes exported variables reads back with none.
        let older = line.replacingOccurrences(
            of: ",\"environment\":{\"GREETING\":\"multi\\nline \\\"quoted\\\"\"}", with: "")
        #expect(older != line)
        #expect(NodeCommit(line: older.dropLast())?.environment == [:])
        #expect(read.attempt?.nodeId == original.attempt?.nodeId && read.attempt?.error == "\u{1}control")
        #expect(StoredDate.text(read.attempt?.finishedAt) == StoredDate.text(original.attempt?.finishedAt))
        #expect(NodeCommit(line: line.dropLast(5)) == nil)
    }

    @Test("200 runs' journals: at most 64 files open at once, and every line of every run is kept")
    func openFilesAreBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-journal-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = NodeJournal(databasePath: directory.appendingPathComponent("devflow.sqlite").path)
        for round in 0..<2 {
            for run in Int64(1)...200 {
                try journal.append(Self.commit(round == 0 ? "a" : "b", run: run))
                #expect(journal.openCount <= NodeJournal.openLimit)
            }
        }
        for run in Int64(1)...200 {
            #expect(journal.commits(run: run).map(\.node.nodeId) == ["a", "b"])
        }
        for run in Int64(1)...200 { journal.remove(run: run) }
        #expect(journal.openCount == 0)
    }

    @Test func aDeadRunnersJournalIsReplayedOnceAndATornLineIgnored() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-journal-\(UUID().uuidString)/devflow.sqlite"
        ).path
        let store = try SQLiteRunStore(path: path)
        let run = try store.startRun(Self.running(pid: 999_999), nodes: ["a", "b", "c"])
        let id = try #require(run.id)
        // What a runner killed before its background commits leaves: journal lines, and a torn last one.
        let journal = NodeJournal(databasePath: path)
        try journal.append(Self.commit("a", run: id))
        try journal.append(Self.commit("b", run: id, status: .failed))
        let torn = Self.commit("c", run: id).line.dropLast(10)
        let handle = try #require(FileHandle(forWritingAtPath: journal.path(run: id)))
        handle.seekToEndOfFile()
        handle.write(Data(torn.utf8))
        try handle.close()
        let reopened = try SQLiteRunStore(path: path)
        #expect(try reopened.nodes(run: id).map(\.status) == [.pending, .pending, .pending])
        let interrupted = try reopened.markInterruptedRuns(staleAfter: 60, now: Self.date, isAlive: { _, _ in false })
        #expect(interrupted == [id])
        let nodes = Dictionary(uniqueKeysWithValues: try reopened.nodes(run: id).map { ($0.nodeId, $0.status) })
        #expect(nodes == ["a": .succeeded, "b": .failed, "c": .interrupted])
        #expect(try reopened.attempts(run: id).map(\.nodeId) == ["a", "b"])
        #expect(try reopened.outputs(run: id)["a"] == ["value": "4\"2", "empty": ""])
        #expect(try reopened.exportedVariables(run: id)["a"] == ["GREETING": "multi\nline \"quoted\""])
        #expect(!FileManager.default.fileExists(atPath: journal.path(run: id)))
        // Replaying again changes nothing.
        _ = try reopened.markInterruptedRuns(staleAfter: 60, now: Self.date, isAlive: { _, _ in false })
        #expect(try reopened.attempts(run: id).count == 2)
    }

    @Test func aFinishedRunLeavesNoJournal() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-journal-\(UUID().uuidString)/devflow.sqlite"
        ).path
        let store = try SQLiteRunStore(path: path)
        let run = try store.startRun(Self.running(pid: getpid()), nodes: ["a"])
        let id = try #require(run.id)
        let commit = Self.commit("a", run: id)
        try store.finishNode(commit.node, outputs: commit.outputs, attempt: commit.attempt)
        #expect(FileManager.default.fileExists(atPath: NodeJournal(databasePath: path).path(run: id)))
        #expect(try store.nodes(run: id).first?.status == .succeeded)  // a read waits for the commit
        try store.finishRun(run: id, status: .succeeded, at: Self.date)
        #expect(!FileManager.default.fileExists(atPath: NodeJournal(databasePath: path).path(run: id)))
    }

    @Test func nodesFinishedTogetherAreCommittedTogetherAndNoneIsMissed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-journal-\(UUID().uuidString)/devflow.sqlite"
        ).path
        let store = try SQLiteRunStore(path: path)
        let names = (0..<200).map { "n\($0)" }
        let run = try store.startRun(Self.running(pid: getpid()), nodes: names)
        let id = try #require(run.id)
        for name in names {
            let commit = Self.commit(name, run: id)
            try store.finishNode(commit.node, outputs: commit.outputs, attempt: commit.attempt)
        }
        // Another connection sees them once this store has committed what is pending (a read does the same).
        store.flush()
        let other = try SQLiteRunStore(path: path)
        #expect(try other.nodes(run: id).filter { $0.status == .succeeded }.count == names.count)
        #expect(try other.attempts(run: id).count == names.count)
        #expect(try other.outputs(run: id)["n199"] == ["value": "4\"2", "empty": ""])
        // A node finished after that is committed by the run's end at the latest.
        let late = Self.commit("late", run: id)
        try store.finishNode(late.node, outputs: late.outputs, attempt: late.attempt)
        try store.finishRun(run: id, status: .succeeded, at: Self.date)
        #expect(try other.run(id)?.status == .succeeded)
        #expect(try other.nodes(run: id).count == names.count + 1)
        #expect(try other.attempts(run: id).count == names.count + 1)
    }
}
