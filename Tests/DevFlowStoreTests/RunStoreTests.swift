import DevFlowStore
import Foundation
import Testing

/// The store's intent-level API, on every backend: SQLite in memory and on disk, and PostgreSQL.
@Suite struct RunStoreTests {
    static func run(_ pipeline: String = "ci", pid: Int32 = getpid(), at date: Date = Date()) -> RunRecord {
        RunRecord(
            id: nil, pipeline: pipeline, file: ".devflow.yml", graphHash: "abc", graphJSON: "{}",
            event: "{\"kind\":\"push\"}",
            gitCommit: "0123", gitBranch: "main", gitAuthorTime: nil, status: .running, queuedAt: date,
            startedAt: date,
            finishedAt: nil, pid: pid, host: ProcessInfo.processInfo.hostName, heartbeatAt: date, resumedFrom: nil)
    }

    @Test(arguments: StoreBackend.available)
    func aStartedNodeIsRunningOnceInTheFeedAndKeepsItsLogChunkTimes(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let id = try #require(try store.startRun(Self.run(), nodes: ["build"]).id)
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        try store.startNode(run: id, node: "build", at: started)
        try store.startNode(run: id, node: "build", at: started.addingTimeInterval(5))  // a retry: no change
        let node = try #require(try store.nodes(run: id).first)
        #expect(node.status == .running)
        #expect(node.startedAt == started)
        try store.appendLog(run: id, node: "build", attempt: 1, stream: "stdout", lines: ["a"])
        let chunk = try #require(try store.logChunks(run: id, node: "build", after: 0, limit: 10).first)
        #expect(abs((chunk.at ?? .distantPast).timeIntervalSinceNow) < 60)
        let feed = try store.stateChanges(after: 0, limit: 100).filter { $0.node == "build" }.map(\.status)
        #expect(feed == ["running"])
        #expect(try store.lastStateChangeID() > 0)
    }

    @Test(arguments: StoreBackend.available)
    func recordsARunWithItsNodesAttemptsLogsAndOutputs(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let run = try store.startRun(Self.run(), nodes: ["build", "test"])
        let id = try #require(run.id)
        let now = Date()
        try store.recordAttempt(
            AttemptRecord(
                id: nil, runId: id, nodeId: "build", number: 1, status: .failed, exitCode: 75, signal: nil,
                startedAt: now,
                finishedAt: now, durationMs: 12, retryReason: "exit:75", error: nil))
        try store.recordAttempt(
            AttemptRecord(
                id: nil, runId: id, nodeId: "build", number: 2, status: .succeeded, exitCode: 0, signal: nil,
                startedAt: now,
                finishedAt: now, durationMs: 10, retryReason: nil, error: nil))
        try store.appendLog(run: id, node: "build", attempt: 2, stream: "stdout", lines: ["compiling", "done"])
        try store.finishNode(
            NodeRecord(
                runId: id, nodeId: "build", status: .succeeded, reason: nil, attempts: 2, startedAt: now,
                finishedAt: now,
                fingerprint: "f1", allowedFailure: false),
            outputs: ["version": "1.2.3"])
        try store.finishRun(run: id, status: .succeeded, at: now)

        #expect(try store.run(id)?.status == .succeeded)
        #expect(try store.attempts(run: id).map(\.number) == [1, 2])
        #expect(try store.logs(run: id, node: "build").map(\.text) == ["compiling\ndone"])
        #expect(try store.outputs(run: id) == ["build": ["version": "1.2.3"]])
        #expect(try store.nodes(run: id).first { $0.nodeId == "test" }?.status == .pending)
        #expect(try store.lastSuccess(pipeline: "ci", node: "build")?.fingerprint == "f1")
        #expect(try store.lastSuccess(pipeline: "other", node: "build") == nil)
    }

    @Test(arguments: StoreBackend.available)
    func runsOfDeadProcessesAreMarkedInterrupted(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let alive = try store.startRun(Self.run(), nodes: ["a"])
        let dead = try store.startRun(Self.run(pid: 999_999), nodes: ["a"])
        let interrupted = try store.markInterruptedRuns(staleAfter: 60, now: Date()) { pid, _ in pid == getpid() }
        #expect(interrupted == [dead.id!])
        #expect(try store.run(alive.id!)?.status == .running)
        #expect(try store.run(dead.id!)?.status == .interrupted)
        #expect(try store.nodes(run: dead.id!).first?.status == .interrupted)
    }

    @Test(arguments: StoreBackend.available)
    func breakerUpdatesAreAtomicAndTransitionsRecorded(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let now = Date()
        let breaker = try store.updateBreaker("llm", now: now, runId: nil) { record in
            record.state = "open"
            record.openedAt = now
            return ("closed", "open", "3 of 4 calls failed")
        }
        #expect(breaker.state == "open")
        _ = try store.updateBreaker("llm", now: now, runId: nil) { _ in nil }
        #expect(try store.transitions(breaker: "llm").map(\.reason) == ["3 of 4 calls failed"])
        #expect(try store.breakers().map(\.name) == ["llm"])
    }
}

/// Dates written by the fast formatter read back exactly as GRDB's own do.
@Suite struct StoredDateTests {
    @Test func roundTripsThroughTheStore() throws {
        let store = try SQLiteRunStore(path: ":memory:")
        let run = try store.startRun(RunStoreTests.run(), nodes: ["a"])
        let started = Date(timeIntervalSince1970: 1_764_201_600.123)
        let finished = Date(timeIntervalSince1970: 1_764_201_601.999)
        try store.finishNode(
            NodeRecord(
                runId: run.id!, nodeId: "a", status: .succeeded, reason: nil, attempts: 1, startedAt: started,
                finishedAt: finished,
                fingerprint: nil, allowedFailure: false),
            outputs: [:],
            attempt: AttemptRecord(
                id: nil, runId: run.id!, nodeId: "a", number: 1, status: .succeeded, exitCode: 0, signal: nil,
                startedAt: started,
                finishedAt: finished, durationMs: 1876, retryReason: nil, error: nil))
        let node = try #require(try store.nodes(run: run.id!).first)
        // Stored with millisecond precision, as GRDB stores dates.
        func same(_ a: Date?, _ b: Date) -> Bool { a.map { abs($0.timeIntervalSince(b)) < 0.001 } ?? false }
        #expect(same(node.startedAt, started) && same(node.finishedAt, finished))
        let attempt = try #require(try store.attempts(run: run.id!).first)
        #expect(same(attempt.startedAt, started) && same(attempt.finishedAt, finished))
    }
}
