import Foundation
import GRDB

/// The embedded store: SQLite through GRDB, in WAL mode with a busy timeout, migrated on open.
public final class SQLiteRunStore: RunStore, @unchecked Sendable {
    let database: any DatabaseWriter
    /// The write-ahead journal of finished nodes (nil for an in-memory store, which commits at once).
    let journal: NodeJournal?
    /// Commits journaled nodes to SQLite in the background, several per transaction (nil for an in-memory store).
    private let committer: GroupCommitter?
    /// Keeps checkpoints off the writers' path (nil for an in-memory store).
    private(set) var checkpointer: WALCheckpointer?
    /// The runs known to have been taken over, so that a journaled write is refused without reading the database.
    let takenOver = TakenOverRuns()

    /// Opens (creating and migrating) the database at `path`; `:memory:` gives an in-memory store for tests.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "devflow"
        // WAL with synchronous=NORMAL: a commit survives the process being killed at any moment (the acceptance
        // for crash safety); only a power loss can lose the last commits, never corrupt the database.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if path != ":memory:" {
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.backstopPages)")
            }
        }
        if path == ":memory:" {
            let queue = try DatabaseQueue(configuration: configuration)
            try StoreMigrations.migrator.migrate(queue)
            database = queue
            journal = nil
            committer = nil
        } else {
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex {
                let directory = String(path.utf8[..<slash])!
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            // Opening (WAL mode) and migrating a new file is serialised across processes.
            database = try MigrationLock.holding(databasePath: path) {
                let pool = try DatabasePool(path: path, configuration: configuration)
                try StoreMigrations.migrator.migrate(pool)
                return pool
            }
            journal = NodeJournal(databasePath: path)
            committer = GroupCommitter(database: database, takenOver: takenOver)
            checkpointer = try WALCheckpointer(path: path)
        }
    }

    /// Records a new run and its pending nodes in one transaction.
    public func startRun(_ run: RunRecord, nodes: [String]) throws -> RunRecord {
        try database.write { db in
            var record = run
            try record.insert(db)
            guard let id = record.id else { throw StoreError("the run was not assigned an id") }
            for node in nodes {
                try NodeRecord(
                    runId: id, nodeId: node, status: .pending, reason: nil, attempts: 0, startedAt: nil,
                    finishedAt: nil,
                    fingerprint: nil, allowedFailure: false
                ).insert(db)
            }
            return record
        }
    }

    /// Refreshes the run's heartbeat; returns whether it should stop (and why) and whether it is paused.
    @discardableResult
    public func heartbeat(run: Int64, at date: Date) throws -> RunControl {
        try database.write { db in
            try db.execute(sql: "UPDATE run SET heartbeatAt = ? WHERE id = ?", arguments: [date, run])
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT cancelRequested, pausedAt IS NOT NULL AS paused FROM run WHERE id = ?",
                    arguments: [run])
            else { return RunControl() }
            return RunControl(cancelRequested: row["cancelRequested"], paused: row["paused"])
        }
    }

    /// The control state of each of `runs`, in reads of at most 500 ids.
    public func controls(runs: [Int64]) throws -> [Int64: RunControl] {
        var controls: [Int64: RunControl] = [:]
        for start in stride(from: 0, to: runs.count, by: 500) {
            let chunk = Array(runs[start..<min(start + 500, runs.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            try database.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT id, cancelRequested, pausedAt IS NOT NULL AS paused FROM run WHERE id IN (\(marks))",
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() {
                    controls[row["id"]] = RunControl(cancelRequested: row["cancelRequested"], paused: row["paused"])
                }
            }
        }
        return controls
    }

    /// Whether the run is paused.
    public func isPaused(run: Int64) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT pausedAt IS NOT NULL FROM run WHERE id = ?", arguments: [run]) ?? false
        }
    }

    /// Marks a pending node running: in the next group commit (within `GroupCommitter.delay`) when the store has
    /// one, else at once. The state-change feed hears it through its trigger.
    public func startNode(run: Int64, node: String, at date: Date) throws {
        if let committer {
            committer.enqueueStart(run: run, node: node, at: date)
            return
        }
        try database.write { db in try Self.markRunning(run: run, node: node, at: date, in: db) }
    }

    /// The statement of `startNode`: only a pending node changes (a finished one is never marked running again).
    static func markRunning(run: Int64, node: String, at date: Date, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql:
                "UPDATE node SET status = 'running', startedAt = ? WHERE runId = ? AND nodeId = ? AND status = 'pending'"
        )
        try statement.execute(arguments: [StoredDate.text(date), run, node])
    }

    /// Why `run` was taken over (the rescuer marked it `interrupted` and queued a run to resume it, or
    /// `markInterruptedRuns` found its runner gone), or nil while it is not.
    static func takeover(of run: Int64, in db: Database) throws -> Takeover? {
        let statement = try db.cachedStatement(sql: "SELECT status, statusReason FROM run WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [run]) else { return nil }
        let status: String = row[0]
        return status == RunStatus.interrupted.rawValue ? Takeover(reason: row[1]) : nil
    }

    /// The fence around a run's records: a run that was taken over accepts no more writes, so a runner that lost
    /// its lease (a stalled server past the rescuer, a laptop that slept) has its late writes rejected, never merged
    /// into what the resuming run reads. Checked inside the write's transaction (SQLite has one writer, so a rescue
    /// cannot slip between the check and the write).
    static func fence(run: Int64, in db: Database) throws {
        if let takeover = try takeover(of: run, in: db) {
            throw StoreError.takenOver(run: run, reason: takeover.reason)
        }
    }

    /// Inserts an attempt and updates the node's attempt count.
    public func recordAttempt(_ attempt: AttemptRecord) throws {
        try database.write { db in
            try Self.fence(run: attempt.runId, in: db)
            try Self.insert(attempt, in: db)
            try db.execute(
                sql: "UPDATE node SET attempts = ? WHERE runId = ? AND nodeId = ?",
                arguments: [attempt.number, attempt.runId, attempt.nodeId])
        }
    }

    /// Appends one chunk of masked log lines.
    public func appendLog(run: Int64, node: String, attempt: Int, stream: String, lines: [String]) throws {
        guard !lines.isEmpty else { return }
        try database.write { db in
            try Self.fence(run: run, in: db)
            var chunk = LogChunkRecord(
                id: nil, runId: run, nodeId: node, attempt: attempt, stream: stream,
                text: lines.joined(separator: "\n"),
                at: Date())
            try chunk.insert(db)
        }
    }

    /// Saves the node's final state, its outputs and its last attempt. Durable when this returns: the journal
    /// line is written; SQLite gets it from a background group commit (see `GroupCommitter`), and reads from this
    /// store commit what is pending first.
    public func finishNode(
        _ node: NodeRecord, outputs: [String: String], environment: [String: String], attempt: AttemptRecord?
    ) throws {
        let commit = NodeCommit(node: node, outputs: outputs, environment: environment, attempt: attempt)
        guard let journal, let committer else {
            try database.write { db in
                try Self.fence(run: node.runId, in: db)
                try commit.apply(in: db)
            }
            return
        }
        // Refused before the journal takes it when the run is known to be taken over (rescued by this store, or a
        // commit of it dropped already); otherwise the takeover is found when the commit is applied, which drops it
        // (`NodeCommit.apply`), and the run's next write is refused.
        if let takeover = takenOver[node.runId] {
            throw StoreError.takenOver(run: node.runId, reason: takeover.reason)
        }
        try journal.append(commit)
        committer.enqueue(commit)
    }

    /// Commits what is pending and waits for the background commits of this store.
    func flush() { committer?.flush() }

    /// Applies `run`'s journal to SQLite (idempotent) in `db`.
    func replay(run: Int64, in db: Database) throws {
        guard let journal else { return }
        for commit in journal.commits(run: run) { try commit.apply(in: db) }
    }

    /// Inserts an attempt with a cached statement (this runs once per attempt); a replay ignores one already there.
    static func insert(_ attempt: AttemptRecord, in db: Database, ignoringDuplicate: Bool = false) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT \(ignoringDuplicate ? "OR IGNORE " : "")INTO attempt (runId, nodeId, number, status, exitCode,
                  signal, startedAt, finishedAt, durationMs, retryReason, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            attempt.runId, attempt.nodeId, attempt.number, attempt.status, attempt.exitCode, attempt.signal,
            StoredDate.text(attempt.startedAt), StoredDate.text(attempt.finishedAt), attempt.durationMs,
            attempt.retryReason,
            attempt.error,
        ])
    }

    /// Inserts an attempt's findings in one transaction.
    public func recordFindings(_ findings: [FindingRecord]) throws {
        guard !findings.isEmpty else { return }
        try database.write { db in
            for run in Set(findings.map(\.runId)) { try Self.fence(run: run, in: db) }
            for finding in findings {
                var record = finding
                try record.insert(db)
            }
        }
    }

    /// The findings of a run, ordered by node, file, line and column.
    public func findings(run: Int64) throws -> [FindingRecord] {
        flush()
        return try database.read { db in
            try FindingRecord.filter(Column("runId") == run).order(
                Column("nodeId"), Column("file"), Column("line"), Column("column")
            )
            .fetchAll(db)
        }
    }

    /// Records the run's final state.
    public func finishRun(run: Int64, status: RunStatus, at date: Date) throws {
        flush()
        let failed = committer?.hasFailed ?? false
        try database.write { db in
            try Self.fence(run: run, in: db)
            if failed { try replay(run: run, in: db) }
            try db.execute(
                sql: """
                    UPDATE run SET status = ?, finishedAt = ?, heartbeatAt = ?, leaseExpiresAt = NULL,
                      statusReason = COALESCE(statusReason, cancelRequested) WHERE id = ?
                    """,
                arguments: [status, date, date, run])
            if status == .cancelled {
                // Steps a cancelled run never reached (it was stopped while it waited for its concurrency group).
                try db.execute(
                    sql: "UPDATE node SET status = 'cancelled', finishedAt = ? WHERE runId = ? AND status = 'pending'",
                    arguments: [date, run])
            }
        }
        journal?.remove(run: run)
    }

    /// Marks runs whose runner is gone (dead pid, or no heartbeat for `staleAfter` seconds) and their unfinished nodes `interrupted`.
    public func markInterruptedRuns(staleAfter: TimeInterval, now: Date, isAlive: (Int32, String) -> Bool) throws
        -> [Int64]
    {
        flush()
        let journaled = journal?.runs() ?? []
        let (interrupted, settled) = try database.write { db -> ([Int64], [Int64]) in
            // Server runs (with a worker's lease) are the rescuer's: a lease, not a pid, says whether they live.
            let running = try RunRecord.filter(sql: "status = 'running' AND workerId IS NULL").fetchAll(db)
            var interrupted: [Int64] = []
            for run in running where !isAlive(run.pid, run.host) || now.timeIntervalSince(run.heartbeatAt) > staleAfter
            {
                guard let id = run.id else { continue }
                // What the runner finished before it died is in its journal.
                try replay(run: id, in: db)
                try db.execute(
                    sql: "UPDATE run SET status = 'interrupted', finishedAt = ? WHERE id = ?", arguments: [now, id])
                try db.execute(
                    sql:
                        "UPDATE node SET status = 'interrupted', finishedAt = ? WHERE runId = ? AND status IN ('running', 'pending')",
                    arguments: [now, id])
                interrupted.append(id)
            }
            // A local run that died while it waited for its concurrency group ran nothing.
            let waiting = try RunRecord.filter(
                sql: "status = 'queued' AND workerId = ?", arguments: [StoreHost.localWorker]
            )
            .fetchAll(db)
            for run in waiting where !isAlive(run.pid, run.host) || now.timeIntervalSince(run.heartbeatAt) > staleAfter
            {
                try db.execute(
                    sql: "UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ? WHERE id = ?",
                    arguments: [
                        now, "its devflow run process ended while it waited for its concurrency group", run.id,
                    ])
            }
            // Journals left by runs that are no longer running (a runner killed after its last commit).
            let stillRunning = Set(running.compactMap(\.id)).subtracting(interrupted)
            var settled = interrupted
            for id in journaled where !stillRunning.contains(id) && !interrupted.contains(id) {
                try replay(run: id, in: db)
                settled.append(id)
            }
            return (interrupted, settled)
        }
        for id in settled { journal?.remove(run: id) }
        for id in interrupted { takenOver.record(id, Takeover(reason: nil)) }
        return interrupted
    }

    /// Recent runs, newest first.
    public func runs(limit: Int) throws -> [RunRecord] {
        flush()
        return try database.read { db in try RunRecord.order(RunRecord.Columns.id.desc).limit(limit).fetchAll(db) }
    }

    /// One run by id.
    public func run(_ id: Int64) throws -> RunRecord? {
        flush()
        return try database.read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// The nodes of a run.
    public func nodes(run: Int64) throws -> [NodeRecord] {
        flush()
        return try database.read { db in try NodeRecord.filter(NodeRecord.Columns.runId == run).fetchAll(db) }
    }

    /// The attempts of a run, in the order they were recorded.
    public func attempts(run: Int64) throws -> [AttemptRecord] {
        flush()
        return try database.read { db in
            try AttemptRecord.filter(AttemptRecord.Columns.runId == run).order(Column("id")).fetchAll(db)
        }
    }

    /// Log chunks of a run, optionally of one node, in order.
    public func logs(run: Int64, node: String?) throws -> [LogChunkRecord] {
        flush()
        return try database.read { db in
            var request = LogChunkRecord.filter(LogChunkRecord.Columns.runId == run)
            if let node { request = request.filter(LogChunkRecord.Columns.nodeId == node) }
            return try request.order(LogChunkRecord.Columns.id).fetchAll(db)
        }
    }

    /// Outputs of a run by node.
    public func outputs(run: Int64) throws -> [String: [String: String]] {
        flush()
        return try database.read { db in
            var result: [String: [String: String]] = [:]
            for output in try OutputRecord.filter(OutputRecord.Columns.runId == run).fetchAll(db) {
                result[output.nodeId, default: [:]][output.name] = output.value
            }
            return result
        }
    }

    /// The variables each node of a run exports (`$DEVFLOW_ENV`), by node.
    public func exportedVariables(run: Int64) throws -> [String: [String: String]] {
        flush()
        return try database.read { db in
            var result: [String: [String: String]] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT nodeId, name, value FROM exportedVariable WHERE runId = ?", arguments: [run])
            for row in rows {
                let node: String = row["nodeId"]
                result[node, default: [:]][row["name"]] = row["value"] as String
            }
            return result
        }
    }

    /// The fingerprint and run of the node's most recent success in this pipeline.
    public func lastSuccess(pipeline: String, node: String) throws -> (fingerprint: String, runId: Int64)? {
        flush()
        return try database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT node.fingerprint, node.runId FROM node JOIN run ON run.id = node.runId
                    WHERE run.pipeline = ? AND node.nodeId = ? AND node.status IN ('succeeded', 'up_to_date')
                      AND node.fingerprint IS NOT NULL
                    ORDER BY node.finishedAt DESC LIMIT 1
                    """, arguments: [pipeline, node]
            ).map { row in (fingerprint: row["fingerprint"], runId: row["runId"]) }
        }
    }

    /// Reads and changes a breaker inside an immediate transaction, recording the transition if there is one.
    public func updateBreaker(
        _ name: String, now: Date, runId: Int64?,
        _ body: (inout BreakerRecord) throws -> (from: String, to: String, reason: String)?
    ) throws -> BreakerRecord {
        try immediate { db in
            var record = try BreakerRecord.fetchOne(db, key: name) ?? .closed(name, at: now)
            let transition = try body(&record)
            record.updatedAt = now
            try record.save(db)
            if let transition {
                var row = BreakerTransitionRecord(
                    id: nil, name: name, fromState: transition.from, toState: transition.to,
                    reason: transition.reason, at: now,
                    runId: runId)
                try row.insert(db)
            }
            return record
        }
    }

    /// Every breaker, by name.
    public func breakers() throws -> [BreakerRecord] {
        try database.read { db in try BreakerRecord.order(Column("name")).fetchAll(db) }
    }

    /// A breaker's transitions, oldest first.
    public func transitions(breaker: String) throws -> [BreakerTransitionRecord] {
        try database.read { db in
            try BreakerTransitionRecord.filter(Column("name") == breaker).order(Column("id")).fetchAll(db)
        }
    }
}

/// A store failure with a message for people.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }

    /// A write from the old runner of a run that was taken over (marked `interrupted` and resumed elsewhere).
    public static func takenOver(run: Int64, reason: String?) -> StoreError {
        StoreError(
            "run \(run) was taken over (\(reason ?? "interrupted")): this write from its old runner was rejected")
    }
}

/// Dates as GRDB stores them (`yyyy-MM-dd HH:mm:ss.SSS`, UTC) and as the API shows them, formatted without Foundation's ICU-backed formatter:
/// written several times per attempt, this is on the runner's hot path. GRDB decodes the same text back into `Date`.
public enum StoredDate {
    static func text(_ date: Date?) -> String? {
        guard let date else { return nil }
        return format(date, separator: " ", suffix: "")
    }

    /// `date` in ISO 8601 with milliseconds, UTC (`2026-12-02T03:04:05.678Z`), as the API answers it.
    public static func iso8601(_ date: Date) -> String { format(date, separator: "T", suffix: "Z") }

    static func format(_ date: Date, separator: String, suffix: String) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))\(separator)"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))"
            + suffix
    }
}
