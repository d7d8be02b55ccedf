import DevFlowStore
import Foundation
import Logging

/// The shared store: the same protocols as `SQLiteRunStore`, on PostgreSQL, for several servers and workers on
/// different hosts. Every change is one transaction on one pooled connection; migrations run on open.
public final class PostgresRunStore: RunStore, @unchecked Sendable {
    let pool: PostgresPool
    /// Where it connects (the password is never shown).
    public let location: PostgresLocation
    /// This process's clock (a test gives one that is skewed, as another host's may be).
    let clock: @Sendable () -> Date

    /// Connects to `url` (`postgres://user:password@host:port/database`) with at most `connections` connections,
    /// and applies the migrations this DevFlow knows that the database has not seen.
    public init(
        url: String, connections: Int = 8, logger: Logger = Logger(label: "devflow.store.postgres"),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.clock = clock
        location = try PostgresLocation(url: url)
        pool = try PostgresPool(location: location, capacity: connections, logger: logger)
        do {
            try PostgresMigrations.migrate(pool)
        } catch {
            pool.close()
            throw error
        }
    }

    deinit { pool.close() }

    /// Refreshes the planner's statistics of the run table at once (`ANALYZE run`), as autovacuum does within a
    /// minute: for a bulk load of runs, such as a benchmark's, before the claims start.
    public func refreshStatistics() throws {
        try read { session in try session.execute("ANALYZE run") }
    }

    /// How far `time` (a caller's instant) is from this process's clock now, in seconds: 0 for a caller that
    /// passes its own now. Leases and heartbeats are set and judged as the database's `now()` plus this offset, so
    /// the database's clock decides between hosts whose clocks disagree, while a caller that names another instant
    /// (a test, a replay) still gets that instant's answer.
    func offset(_ time: Date) -> Double { time.timeIntervalSince(clock()) }

    /// `body` outside a transaction (each statement commits alone): reads and single statements.
    @discardableResult
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T { try pool.withConnection(body) }

    /// `body` in one transaction.
    @discardableResult
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T { try pool.transaction(body) }

    /// Records a new run and its pending nodes in one transaction.
    public func startRun(_ run: RunRecord, nodes: [String]) throws -> RunRecord {
        try write { session in
            var record = run
            record.id = try session.insert(run, into: "run")
            guard let id = record.id else { throw StoreError("the run was not assigned an id") }
            try Self.insertPendingNodes(nodes, run: id, in: session)
            return record
        }
    }

    /// Inserts `nodes` as pending nodes of `run` in one statement (a node already there is left as it is).
    static func insertPendingNodes(_ nodes: [String], run: Int64, in session: PostgresSession) throws {
        guard !nodes.isEmpty else { return }
        var values: [any SQLBindable] = []
        var rows: [String] = []
        rows.reserveCapacity(nodes.count)
        for node in nodes {
            rows.append("(?, ?, 'pending', 0, FALSE)")
            values.append(run)
            values.append(node)
        }
        // At most 2 × 30,000 parameters per statement (PostgreSQL's limit is 65,535).
        for start in stride(from: 0, to: rows.count, by: 30_000) {
            let end = min(rows.count, start + 30_000)
            try session.execute(
                "INSERT INTO node (runId, nodeId, status, attempts, allowedFailure) VALUES "
                    + rows[start..<end].joined(separator: ", ") + " ON CONFLICT DO NOTHING",
                Array(values[(start * 2)..<(end * 2)]))
        }
    }

    /// Refreshes the run's heartbeat; returns whether it should stop (and why) and whether it is paused.
    @discardableResult
    public func heartbeat(run: Int64, at date: Date) throws -> RunControl {
        try read { session in
            let rows = try session.rows(
                "UPDATE run SET heartbeatAt = ? WHERE id = ? RETURNING cancelRequested, pausedAt IS NOT NULL",
                [date, run])
            guard let row = rows.first else { return RunControl() }
            let (reason, paused) = try row.decode((String?, Bool).self)
            return RunControl(cancelRequested: reason, paused: paused)
        }
    }

    /// The control state of each of `runs`, in one read.
    public func controls(runs: [Int64]) throws -> [Int64: RunControl] {
        guard !runs.isEmpty else { return [:] }
        let ids = String(decoding: (try? JSONEncoder().encode(runs)) ?? Data("[]".utf8), as: UTF8.self)
        return try read { session in
            var controls: [Int64: RunControl] = [:]
            let rows = try session.rows(
                """
                SELECT id, cancelRequested, pausedAt IS NOT NULL FROM run
                WHERE id IN (SELECT value::bigint FROM jsonb_array_elements_text(?::jsonb))
                """, [ids])
            for row in rows {
                let (id, reason, paused) = try row.decode((Int64, String?, Bool).self)
                controls[id] = RunControl(cancelRequested: reason, paused: paused)
            }
            return controls
        }
    }

    /// Whether the run is paused.
    public func isPaused(run: Int64) throws -> Bool {
        try read { session in
            try session.value(Bool.self, "SELECT pausedAt IS NOT NULL FROM run WHERE id = ?", [run]) ?? false
        }
    }

    /// Marks a pending node running (a finished one is never marked running again).
    public func startNode(run: Int64, node: String, at date: Date) throws {
        try write { session in
            try Self.fence(run: run, in: session)
            try session.execute(
                "UPDATE node SET status = 'running', startedAt = ? WHERE runId = ? AND nodeId = ? AND status = 'pending'",
                [date, run, node])
        }
    }

    /// Inserts an attempt and updates the node's attempt count.
    public func recordAttempt(_ attempt: AttemptRecord) throws {
        try write { session in
            try Self.fence(run: attempt.runId, in: session)
            try Self.insert(attempt, in: session)
            try session.execute(
                "UPDATE node SET attempts = ? WHERE runId = ? AND nodeId = ?",
                [attempt.number, attempt.runId, attempt.nodeId])
        }
    }

    /// Inserts an attempt; one already recorded under the same number is left as it is.
    static func insert(_ attempt: AttemptRecord, in session: PostgresSession) throws {
        try session.execute(
            """
            INSERT INTO attempt (runId, nodeId, number, status, exitCode, signal, startedAt, finishedAt, durationMs,
              retryReason, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (runId, nodeId, number) DO NOTHING
            """,
            [
                attempt.runId, attempt.nodeId, attempt.number, attempt.status.rawValue, attempt.exitCode,
                attempt.signal,
                attempt.startedAt, attempt.finishedAt, attempt.durationMs, attempt.retryReason, attempt.error,
            ])
    }

    /// Appends one chunk of masked log lines.
    public func appendLog(run: Int64, node: String, attempt: Int, stream: String, lines: [String]) throws {
        guard !lines.isEmpty else { return }
        try write { session in
            try Self.fence(run: run, in: session)
            try session.execute(
                "INSERT INTO logChunk (runId, nodeId, attempt, stream, text, at) VALUES (?, ?, ?, ?, ?, ?)",
                [run, node, attempt, stream, lines.joined(separator: "\n"), Date()])
        }
    }

    /// Inserts an attempt's findings in one transaction.
    public func recordFindings(_ findings: [FindingRecord]) throws {
        guard !findings.isEmpty else { return }
        try write { session in
            for run in Set(findings.map(\.runId)) { try Self.fence(run: run, in: session) }
            for finding in findings { try session.insert(finding, into: "finding", returningID: false) }
        }
    }

    /// The findings of a run, ordered by node, file, line and column.
    public func findings(run: Int64) throws -> [FindingRecord] {
        try read { session in
            try session.fetchAll(
                FindingRecord.self,
                "SELECT * FROM finding WHERE runId = ? ORDER BY nodeId, file, line, \"column\", id", [run])
        }
    }

    /// Saves the node's final state, its outputs, its exported variables and its last attempt in one transaction.
    public func finishNode(
        _ node: NodeRecord, outputs: [String: String], environment: [String: String], attempt: AttemptRecord?
    ) throws {
        try write { session in
            try Self.fence(run: node.runId, in: session)
            if let attempt { try Self.insert(attempt, in: session) }
            let changed = try session.execute(
                """
                UPDATE node SET status = ?, reason = ?, attempts = ?, startedAt = ?, finishedAt = ?, fingerprint = ?,
                  allowedFailure = ?, summary = ? WHERE runId = ? AND nodeId = ?
                """,
                [
                    node.status.rawValue, node.reason, node.attempts, node.startedAt, node.finishedAt, node.fingerprint,
                    node.allowedFailure, node.summary, node.runId, node.nodeId,
                ])
            if changed == 0 { try session.insert(node, into: "node", returningID: false) }
            try Self.upsert(outputs, into: "output", node: node, in: session)
            try Self.upsert(environment, into: "exportedVariable", node: node, in: session)
        }
    }

    /// Writes a node's name/value pairs (outputs or exported variables), replacing values of the same name.
    private static func upsert(
        _ values: [String: String], into table: String, node: NodeRecord, in session: PostgresSession
    ) throws {
        guard !values.isEmpty else { return }
        var arguments: [any SQLBindable] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            arguments.append(node.runId)
            arguments.append(node.nodeId)
            arguments.append(name)
            arguments.append(value)
        }
        let rows = Array(repeating: "(?, ?, ?, ?)", count: values.count).joined(separator: ", ")
        try session.execute(
            "INSERT INTO \(table) (runId, nodeId, name, value) VALUES \(rows) "
                + "ON CONFLICT (runId, nodeId, name) DO UPDATE SET value = excluded.value", arguments)
    }

    /// Records the run's final state (a cancelled run's steps that never started end cancelled too).
    public func finishRun(run: Int64, status: RunStatus, at date: Date) throws {
        try write { session in
            try Self.fence(run: run, in: session)
            try session.execute(
                """
                UPDATE run SET status = ?, finishedAt = ?, heartbeatAt = ?, leaseExpiresAt = NULL,
                  statusReason = COALESCE(statusReason, cancelRequested) WHERE id = ?
                """, [status, date, date, run])
            if status == .cancelled {
                try session.execute(
                    "UPDATE node SET status = 'cancelled', finishedAt = ? WHERE runId = ? AND status = 'pending'",
                    [date, run])
            }
        }
    }

    /// Marks local runs whose runner is gone (dead pid, or no heartbeat for `staleAfter` seconds) and their
    /// unfinished nodes `interrupted`; server runs are the rescuer's (their lease says whether they live).
    public func markInterruptedRuns(staleAfter: TimeInterval, now: Date, isAlive: (Int32, String) -> Bool) throws
        -> [Int64]
    {
        try write { session in
            let running = try session.fetchAll(
                RunRecord.self, "SELECT * FROM run WHERE status = 'running' AND workerId IS NULL FOR UPDATE")
            var interrupted: [Int64] = []
            for run in running where !isAlive(run.pid, run.host) || now.timeIntervalSince(run.heartbeatAt) > staleAfter
            {
                guard let id = run.id else { continue }
                try session.execute("UPDATE run SET status = 'interrupted', finishedAt = ? WHERE id = ?", [now, id])
                try session.execute(
                    "UPDATE node SET status = 'interrupted', finishedAt = ? WHERE runId = ? AND status IN ('running', 'pending')",
                    [now, id])
                interrupted.append(id)
            }
            let waiting = try session.fetchAll(
                RunRecord.self, "SELECT * FROM run WHERE status = 'queued' AND workerId = ? FOR UPDATE",
                [StoreHost.localWorker])
            for run in waiting where !isAlive(run.pid, run.host) || now.timeIntervalSince(run.heartbeatAt) > staleAfter
            {
                try session.execute(
                    "UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ? WHERE id = ?",
                    [now, "its devflow run process ended while it waited for its concurrency group", run.id])
            }
            return interrupted
        }
    }

    /// The fence around a run's records: a run that was taken over (marked `interrupted` by the rescuer, which queued
    /// a new run to resume it, or by `markInterruptedRuns`) accepts no more writes, so a worker that lost its lease
    /// while partitioned has its late writes rejected, never merged into what the resuming run reads. The row is
    /// share-locked until the write commits, so a rescue cannot slip between the check and the write.
    static func fence(run: Int64, in session: PostgresSession) throws {
        guard
            let row = try session.rows("SELECT status, statusReason FROM run WHERE id = ? FOR SHARE", [run]).first
        else { return }
        let (status, reason) = try row.decode((String, String?).self)
        guard status == RunStatus.interrupted.rawValue else { return }
        throw StoreError.takenOver(run: run, reason: reason)
    }

    /// Recent runs, newest first.
    public func runs(limit: Int) throws -> [RunRecord] {
        try read { session in
            try session.fetchAll(RunRecord.self, "SELECT * FROM run ORDER BY id DESC LIMIT ?", [limit])
        }
    }

    /// One run by id.
    public func run(_ id: Int64) throws -> RunRecord? {
        try read { session in try session.fetchOne(RunRecord.self, "SELECT * FROM run WHERE id = ?", [id]) }
    }

    /// The nodes of a run.
    public func nodes(run: Int64) throws -> [NodeRecord] {
        try read { session in try session.fetchAll(NodeRecord.self, "SELECT * FROM node WHERE runId = ?", [run]) }
    }

    /// The attempts of a run, in the order they were recorded.
    public func attempts(run: Int64) throws -> [AttemptRecord] {
        try read { session in
            try session.fetchAll(AttemptRecord.self, "SELECT * FROM attempt WHERE runId = ? ORDER BY id", [run])
        }
    }

    /// Log chunks of a run, optionally of one node, in order.
    public func logs(run: Int64, node: String?) throws -> [LogChunkRecord] {
        try read { session in
            if let node {
                return try session.fetchAll(
                    LogChunkRecord.self, "SELECT * FROM logChunk WHERE runId = ? AND nodeId = ? ORDER BY id",
                    [run, node])
            }
            return try session.fetchAll(
                LogChunkRecord.self, "SELECT * FROM logChunk WHERE runId = ? ORDER BY id", [run])
        }
    }

    /// Outputs of a run by node.
    public func outputs(run: Int64) throws -> [String: [String: String]] {
        try pairs("output", run: run)
    }

    /// The variables each node of a run exports (`$DEVFLOW_ENV`), by node.
    public func exportedVariables(run: Int64) throws -> [String: [String: String]] {
        try pairs("exportedVariable", run: run)
    }

    private func pairs(_ table: String, run: Int64) throws -> [String: [String: String]] {
        try read { session in
            var result: [String: [String: String]] = [:]
            for row in try session.rows("SELECT nodeId, name, value FROM \(table) WHERE runId = ?", [run]) {
                let (node, name, value) = try row.decode((String, String, String).self)
                result[node, default: [:]][name] = value
            }
            return result
        }
    }

    /// The fingerprint and run of the node's most recent success in this pipeline.
    public func lastSuccess(pipeline: String, node: String) throws -> (fingerprint: String, runId: Int64)? {
        try read { session in
            let rows = try session.rows(
                """
                SELECT node.fingerprint, node.runId FROM node JOIN run ON run.id = node.runId
                WHERE run.pipeline = ? AND node.nodeId = ? AND node.status IN ('succeeded', 'up_to_date')
                  AND node.fingerprint IS NOT NULL
                ORDER BY node.finishedAt DESC LIMIT 1
                """, [pipeline, node])
            guard let row = rows.first else { return nil }
            let (fingerprint, runId) = try row.decode((String, Int64).self)
            return (fingerprint, runId)
        }
    }

    /// Reads and changes a breaker with its row locked (`SELECT … FOR UPDATE`, the row created first if new), so
    /// every server and worker sees each transition once, in one transaction with the transition's record.
    public func updateBreaker(
        _ name: String, now: Date, runId: Int64?,
        _ body: (inout BreakerRecord) throws -> (from: String, to: String, reason: String)?
    ) throws -> BreakerRecord {
        try write { session in
            let closed = BreakerRecord.closed(name, at: now)
            try session.execute(
                """
                INSERT INTO breaker (name, state, mode, openedAt, halfOpenStarted, halfOpenSucceeded, "window", updatedAt)
                VALUES (?, ?, ?, NULL, 0, 0, ?, ?) ON CONFLICT (name) DO NOTHING
                """, [name, closed.state, closed.mode, closed.window, now])
            guard
                var record = try session.fetchOne(
                    BreakerRecord.self, "SELECT * FROM breaker WHERE name = ? FOR UPDATE", [name])
            else { throw StoreError("breaker \(name) vanished while it was being updated") }
            let transition = try body(&record)
            record.updatedAt = now
            try session.execute(
                """
                UPDATE breaker SET state = ?, mode = ?, openedAt = ?, halfOpenStarted = ?, halfOpenSucceeded = ?,
                  "window" = ?, updatedAt = ? WHERE name = ?
                """,
                [
                    record.state, record.mode, record.openedAt, record.halfOpenStarted, record.halfOpenSucceeded,
                    record.window, record.updatedAt, name,
                ])
            if let transition {
                try session.execute(
                    "INSERT INTO breakerTransition (name, fromState, toState, reason, at, runId) VALUES (?, ?, ?, ?, ?, ?)",
                    [name, transition.from, transition.to, transition.reason, now, runId])
            }
            return record
        }
    }

    /// Every breaker, by name.
    public func breakers() throws -> [BreakerRecord] {
        try read { session in try session.fetchAll(BreakerRecord.self, "SELECT * FROM breaker ORDER BY name") }
    }

    /// A breaker's transitions, oldest first.
    public func transitions(breaker: String) throws -> [BreakerTransitionRecord] {
        try read { session in
            try session.fetchAll(
                BreakerTransitionRecord.self, "SELECT * FROM breakerTransition WHERE name = ? ORDER BY id", [breaker])
        }
    }
}
