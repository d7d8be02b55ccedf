import DevFlowStoreTestSupport
import Foundation
import GRDB
import Testing

@testable import DevFlowStore

/// The fence around a run that was taken over, on every backend: once the rescuer has re-queued it, nothing its old
/// runner writes is kept, and what the resuming run reads is what was committed before the rescue.
@Suite("late writes")
struct LateWriteTests {
    static let now = RunQueueTests.now

    static func node(_ run: Int64, _ id: String) -> NodeRecord {
        NodeRecord(
            runId: run, nodeId: id, status: .succeeded, reason: nil, attempts: 1, startedAt: now, finishedAt: now,
            fingerprint: nil, allowedFailure: false)
    }

    @Test(
        "a worker partitioned past its lease: after the rescue its late writes are rejected, not merged",
        arguments: StoreBackend.available)
    func lateWritesAreFenced(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let run = try Self.claimedRun(store, nodes: ["build", "test"])
        try store.finishNode(Self.node(run, "build"), outputs: ["version": "1"])
        #expect(try store.rescueExpiredLeases(now: Self.now.addingTimeInterval(61), isDead: { _ in false }) == [run])
        // The old worker, still alive on the other side of a partition, goes on writing.
        #expect(throws: StoreError.self) {
            try store.finishNode(Self.node(run, "test"), outputs: ["late": "yes"])
        }
        #expect(throws: StoreError.self) {
            try store.recordAttempt(
                AttemptRecord(
                    id: nil, runId: run, nodeId: "test", number: 1, status: .succeeded, exitCode: 0, signal: nil,
                    startedAt: Self.now, finishedAt: Self.now, durationMs: 1, retryReason: nil, error: nil))
        }
        #expect(throws: StoreError.self) {
            try store.appendLog(run: run, node: "test", attempt: 1, stream: "stdout", lines: ["late"])
        }
        #expect(throws: StoreError.self) { try store.finishRun(run: run, status: .succeeded, at: Self.now) }
        #expect(try store.renewLease(run: run, worker: "w1", until: Self.now.addingTimeInterval(90)) == nil)
        // What the resuming run reads is what the old run had committed before the rescue.
        #expect(try store.run(run)?.status == .interrupted)
        #expect(try store.outputs(run: run) == ["build": ["version": "1"]])
        #expect(try store.nodes(run: run).first { $0.nodeId == "test" }?.status == .interrupted)
        #expect(try store.attempts(run: run).isEmpty)
        #expect(try store.logs(run: run, node: nil).isEmpty)
    }

    @Test("findings the old runner reports after the rescue are rejected", arguments: StoreBackend.available)
    func lateFindingsAreRejected(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let run = try Self.rescuedRun(store)
        #expect(throws: StoreError.self) {
            try store.recordFindings([
                FindingRecord(
                    runId: run, nodeId: "build", attempt: 1, rule: "r", severity: "high", file: "f", line: 1,
                    column: 1, endLine: 1, endColumn: 2, message: "late")
            ])
        }
        #expect(try store.findings(run: run).isEmpty)
    }

    @Test("SQLite: a node commit that reached the journal after the rescue is dropped when the group commit applies it")
    func journaledLateCommitIsDropped() throws {
        let (directory, path) = try Self.scratchDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteRunStore(path: path)
        let run = try Self.rescuedRun(store)
        let late = NodeCommit(node: Self.node(run, "build"), outputs: ["late": "yes"], attempt: nil)
        try store.database.write { db in try late.apply(in: db) }
        #expect(try store.nodes(run: run).first?.status == .interrupted)
        #expect(try store.outputs(run: run).isEmpty)
    }

    @Test("SQLite: a rescue by another process is found at the group commit; the late node is dropped, then refused")
    func takeoverByAnotherProcess() throws {
        let (directory, path) = try Self.scratchDatabase()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = try SQLiteRunStore(path: path)
        let run = try Self.claimedRun(runner, nodes: ["build", "test"])
        // Another server on the same file rescues the run; this store does not know yet.
        let rescuer = try SQLiteRunStore(path: path)
        #expect(try rescuer.rescueExpiredLeases(now: Self.now.addingTimeInterval(61), isDead: { _ in false }) == [run])
        try runner.finishNode(Self.node(run, "build"), outputs: ["late": "yes"])
        #expect(try runner.outputs(run: run).isEmpty, "the group commit dropped the late node")
        #expect(try runner.nodes(run: run).allSatisfy { $0.status == .interrupted })
        #expect(throws: StoreError.self) { try runner.finishNode(Self.node(run, "test"), outputs: [:]) }
    }

    /// A new scratch directory and the path of a SQLite file in it (two stores may open it, as two processes would).
    static func scratchDatabase() throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("late-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent("s.sqlite").path)
    }

    /// A queued run claimed by worker `w1` and prepared with pending `nodes`.
    static func claimedRun(_ store: any ServerStore, nodes: [String]) throws -> Int64 {
        _ = try store.enqueue(RunQueueTests.queued("c1"))
        let run = try #require(try store.claimRun(worker: "w1", now: now, lease: 30)?.id)
        try store.prepare(
            run: run, pipeline: "ci", graphHash: "h", graphJSON: "{}", nodes: nodes, group: nil,
            cancelInProgress: false, commit: "c1", now: now)
        return run
    }

    /// A claimed, prepared run (one node, `build`) that the rescuer took over.
    static func rescuedRun(_ store: any ServerStore) throws -> Int64 {
        let run = try claimedRun(store, nodes: ["build"])
        #expect(try store.rescueExpiredLeases(now: now.addingTimeInterval(61), isDead: { _ in false }) == [run])
        return run
    }
}
