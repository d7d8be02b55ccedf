import Foundation
import GRDB

/// The queue on SQLite: every change in an immediate transaction, so that the server, its workers and CLI commands
/// sharing one database file agree on who holds which run.
extension SQLiteRunStore: RunQueue {
    /// Stores the delivery and queues its run in one transaction; a known (forge, key) pair changes nothing.
    public func recordDelivery(_ delivery: DeliveryRecord, queue runs: [RunRecord]) throws -> DeliveryReceipt {
        try immediate { db in
            if let existing = try DeliveryRecord.filter(
                Column("forge") == delivery.forge && Column("deliveryKey") == delivery.deliveryKey
            ).fetchOne(db), let id = existing.id {
                let runs = try Int64.fetchAll(
                    db, sql: "SELECT runId FROM deliveryRun WHERE deliveryId = ? ORDER BY runId", arguments: [id])
                return .duplicate(delivery: id, runs: runs)
            }
            var ids: [Int64] = []
            for var run in runs {
                run.status = .queued
                try run.insert(db)
                if let id = run.id { ids.append(id) }
            }
            var record = delivery
            record.runId = ids.first
            try record.insert(db)
            guard let id = record.id else { throw StoreError("the delivery was not assigned an id") }
            for run in ids {
                try db.execute(sql: "INSERT INTO deliveryRun (deliveryId, runId) VALUES (?, ?)", arguments: [id, run])
            }
            return .stored(delivery: id, runs: ids)
        }
    }

    /// Queues a run.
    public func enqueue(_ run: RunRecord) throws -> RunRecord {
        try immediate { db in
            var record = run
            record.status = .queued
            try record.insert(db)
            return record
        }
    }

    /// The oldest queued run whose concurrency group has no running run, claimed by `worker`; paused runs and the runs
    /// of paused repositories wait.
    public func claimRun(worker: String, labels: [String], now: Date, lease: TimeInterval) throws -> RunRecord? {
        try immediate { db in
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM run AS candidate WHERE status = 'queued' AND workerId IS NULL
                          AND pausedAt IS NULL
                          AND (repository IS NULL OR repository NOT IN (SELECT repository FROM repositoryPause))
                          AND (concurrencyGroup IS NULL
                          OR NOT EXISTS (SELECT 1 FROM run AS other WHERE other.concurrencyGroup = candidate.concurrencyGroup
                            AND other.status = 'running'))
                          AND (labels IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(candidate.labels) AS wanted
                            WHERE wanted.value NOT IN (SELECT value FROM json_each(?))))
                        ORDER BY id LIMIT 1
                        """, arguments: [WorkerRecord.encodeLabels(labels)])
            else { return nil }
            try db.execute(
                sql: """
                    UPDATE run SET status = 'running', workerId = ?, leaseExpiresAt = ?, claims = claims + 1,
                      startedAt = COALESCE(startedAt, ?), heartbeatAt = ?, pid = ?, host = ?
                    WHERE id = ?
                    """,
                arguments: [worker, now.addingTimeInterval(lease), now, now, getpid(), StoreHost.name, id])
            return try RunRecord.fetchOne(db, key: id)
        }
    }

    /// Extends the lease of a run `worker` still holds.
    public func renewLease(run: Int64, worker: String, until: Date) throws -> LeaseState? {
        try immediate { db in
            try db.execute(
                sql:
                    "UPDATE run SET leaseExpiresAt = ?, heartbeatAt = ? WHERE id = ? AND workerId = ? AND status = 'running'",
                arguments: [until, Date(), run, worker])
            guard db.changesCount == 1 else { return nil }
            let reason = try String.fetchOne(db, sql: "SELECT cancelRequested FROM run WHERE id = ?", arguments: [run])
            return LeaseState(cancelRequested: reason)
        }
    }

    /// Extends the leases of every run in `held` its worker still holds, in one transaction.
    public func renewLeases(_ held: [HeldLease], until: Date) throws -> [Int64: LeaseState] {
        guard !held.isEmpty else { return [:] }
        return try immediate { db in
            let now = Date()
            var states: [Int64: LeaseState] = [:]
            let renew = try db.cachedStatement(
                sql:
                    "UPDATE run SET leaseExpiresAt = ?, heartbeatAt = ? WHERE id = ? AND workerId = ? AND status = 'running'"
            )
            let reason = try db.cachedStatement(sql: "SELECT cancelRequested FROM run WHERE id = ?")
            for lease in held {
                try renew.execute(arguments: [until, now, lease.run, lease.worker])
                guard db.changesCount == 1 else { continue }
                states[lease.run] = LeaseState(
                    cancelRequested: try String.fetchOne(reason, arguments: [lease.run]))
            }
            return states
        }
    }

    /// Puts a claimed run back in the queue for a worker with `labels`.
    public func requireLabels(run: Int64, worker: String, labels: [String], reason: String) throws {
        try immediate { db in
            try db.execute(
                sql: """
                    UPDATE run SET status = 'queued', workerId = NULL, leaseExpiresAt = NULL, labels = ?,
                      statusReason = ?
                    WHERE id = ? AND workerId = ? AND status = 'running'
                    """, arguments: [WorkerRecord.encodeLabels(labels), reason, run, worker])
        }
    }

    /// Puts a claimed run back in the queue, unclaimed.
    public func release(run: Int64, worker: String) throws {
        try immediate { db in
            try db.execute(
                sql: """
                    UPDATE run SET status = 'queued', workerId = NULL, leaseExpiresAt = NULL
                    WHERE id = ? AND workerId = ? AND status = 'running'
                    """, arguments: [run, worker])
        }
    }

    /// Running runs whose lease ran out: their journal is replayed, they are marked `interrupted`, and each is
    /// queued again as a new run that resumes it (its succeeded steps and their outputs are reused).
    public func rescueExpiredLeases(now: Date, isDead: (String) -> Bool) throws -> [Int64] {
        flush()
        let rescued = try immediate { db -> [(id: Int64, reason: String)] in
            let expired = try RunRecord.filter(sql: "status = 'running' AND workerId IS NOT NULL").fetchAll(db)
                .filter { run in (run.leaseExpiresAt.map { $0 < now } ?? true) || isDead(run.workerId ?? "") }
            var ids: [(id: Int64, reason: String)] = []
            for old in expired {
                guard let id = old.id else { continue }
                try replay(run: id, in: db)
                var resumed = RunRecord.resuming(old, id: id, at: now)
                try resumed.insert(db)
                guard let newId = resumed.id else { continue }
                let reason = "worker \(old.workerId ?? "?") stopped renewing its lease; resumed as run \(newId)"
                try db.execute(
                    sql: """
                        UPDATE run SET status = 'interrupted', finishedAt = ?, leaseExpiresAt = NULL,
                          statusReason = ? WHERE id = ?
                        """,
                    arguments: [now, reason, id])
                try db.execute(
                    sql: """
                        UPDATE node SET status = 'interrupted', finishedAt = ?
                        WHERE runId = ? AND status IN ('running', 'pending')
                        """, arguments: [now, id])
                try db.execute(sql: "UPDATE delivery SET runId = ? WHERE runId = ?", arguments: [newId, id])
                try db.execute(sql: "UPDATE deliveryRun SET runId = ? WHERE runId = ?", arguments: [newId, id])
                ids.append((id, reason))
            }
            return ids
        }
        for (id, reason) in rescued {
            journal?.remove(run: id)
            takenOver.record(id, Takeover(reason: reason))
        }
        return rescued.map(\.id)
    }

    /// Stores the compiled graph and pending nodes of a claimed run and admits it to its concurrency group.
    @discardableResult
    public func prepare(
        run: Int64, pipeline: String, graphHash: String, graphJSON: String, nodes: [String], group: String?,
        cancelInProgress: Bool, commit: String, now: Date
    ) throws -> GroupAdmission {
        try immediate { db in
            try db.execute(
                sql: """
                    UPDATE run SET pipeline = ?, graphHash = ?, graphJSON = ?, concurrencyGroup = ?, cancelInProgress = ?,
                      gitCommit = ? WHERE id = ?
                    """, arguments: [pipeline, graphHash, graphJSON, group, cancelInProgress, commit, run])
            for node in nodes {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO node (runId, nodeId, status, attempts, allowedFailure)
                        VALUES (?, ?, 'pending', 0, 0)
                        """, arguments: [run, node])
            }
            guard let group else { return .admitted }
            return try admit(run: run, group: group, cancelInProgress: cancelInProgress, now: now, db)
        }
    }

    /// Admits a run to its concurrency group (GitHub Actions' semantics), in one transaction.
    public func enterGroup(run: Int64, group: String, cancelInProgress: Bool, now: Date) throws -> GroupAdmission {
        try immediate { db in try admit(run: run, group: group, cancelInProgress: cancelInProgress, now: now, db) }
    }

    /// The admission itself. The group is set and checked in one write transaction, so of two runs prepared at once
    /// the second sees the first: an older second is superseded, a newer second waits (or stops the first).
    private func admit(run: Int64, group: String, cancelInProgress: Bool, now: Date, _ db: Database) throws
        -> GroupAdmission
    {
        let current = try Row.fetchOne(db, sql: "SELECT status, statusReason FROM run WHERE id = ?", arguments: [run])
        if let status = current?["status"] as String?, status == RunStatus.cancelled.rawValue {
            return .cancelled(current?["statusReason"] ?? "cancelled while it waited")
        }
        try db.execute(sql: "UPDATE run SET heartbeatAt = ? WHERE id = ?", arguments: [now, run])
        if let newer = try Int64.fetchOne(
            db, sql: "SELECT MAX(id) FROM run WHERE concurrencyGroup = ? AND id > ?", arguments: [group, run])
        {
            let reason = "superseded by run \(newer)"
            try db.execute(
                sql: """
                    UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ?, leaseExpiresAt = NULL
                    WHERE id = ?
                    """, arguments: [now, reason, run])
            try cancelPendingNodes(ofRunsWhere: "id = ?", [run], reason: reason, now: now, db)
            return .cancelled(reason)
        }
        // A newer run replaces older waiting runs of its group; with cancel_in_progress it also stops the running one.
        try db.execute(
            sql: """
                UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ?
                WHERE concurrencyGroup = ? AND status = 'queued' AND id < ?
                """, arguments: [now, "superseded by run \(run)", group, run])
        try cancelPendingNodes(
            ofRunsWhere: "concurrencyGroup = ? AND status = 'cancelled' AND statusReason = ?",
            [group, "superseded by run \(run)"], reason: "superseded by run \(run)", now: now, db)
        if cancelInProgress {
            try db.execute(
                sql: """
                    UPDATE run SET cancelRequested = ? WHERE concurrencyGroup = ? AND status = 'running'
                      AND id < ? AND cancelRequested IS NULL
                    """, arguments: ["superseded by run \(run)", group, run])
        }
        if let running = try Int64.fetchOne(
            db, sql: "SELECT MIN(id) FROM run WHERE concurrencyGroup = ? AND status = 'running' AND id != ?",
            arguments: [group, run])
        {
            return .busy(running)
        }
        try db.execute(
            sql: """
                UPDATE run SET status = 'running', workerId = NULL, startedAt = COALESCE(startedAt, ?)
                WHERE id = ? AND status = 'queued' AND workerId = ?
                """, arguments: [now, run, StoreHost.localWorker])
        return .admitted
    }

    /// Marks the pending nodes of cancelled runs cancelled, so a superseded run does not show steps still to come.
    private func cancelPendingNodes(
        ofRunsWhere condition: String, _ arguments: StatementArguments, reason: String, now: Date, _ db: Database
    ) throws {
        try db.execute(
            sql: """
                UPDATE node SET status = 'cancelled', reason = ?, finishedAt = ?
                WHERE status = 'pending' AND runId IN (SELECT id FROM run WHERE \(condition))
                """, arguments: [reason, now] + arguments)
    }

    /// Ends a run that started no step.
    public func settle(run: Int64, status: RunStatus, reason: String?, diagnostics: String?, at: Date) throws {
        try immediate { db in
            try db.execute(
                sql: """
                    UPDATE run SET status = ?, statusReason = ?, diagnostics = ?, finishedAt = ?, leaseExpiresAt = NULL
                    WHERE id = ?
                    """, arguments: [status, reason, diagnostics, at, run])
        }
    }

    /// Cancels a queued run now, or asks the worker of a running one to stop it.
    public func requestCancel(run: Int64, reason: String, at: Date) throws {
        try immediate { db in
            try db.execute(
                sql:
                    "UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ? WHERE id = ? AND status = 'queued'",
                arguments: [at, reason, run])
            try db.execute(
                sql:
                    "UPDATE run SET cancelRequested = ? WHERE id = ? AND status = 'running' AND cancelRequested IS NULL",
                arguments: [reason, run])
        }
    }

    /// Whether another run of the group is running.
    public func groupBusy(_ group: String, besides run: Int64) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM run WHERE concurrencyGroup = ? AND status = 'running' AND id != ?)",
                arguments: [group, run]) ?? false
        }
    }

    /// Fires a schedule's slot at most once, in one transaction with the run it queues.
    public func fireSchedule(repository: String, cron: String, slot: Date, run: RunRecord) throws -> ScheduleFire {
        try immediate { db in
            guard
                let last = try Date.fetchOne(
                    db, sql: "SELECT lastSlot FROM scheduleFire WHERE repository = ? AND cron = ?",
                    arguments: [repository, cron])
            else {
                try db.execute(
                    sql: "INSERT INTO scheduleFire (repository, cron, lastSlot) VALUES (?, ?, ?)",
                    arguments: [repository, cron, slot])
                return .baseline
            }
            guard last < slot else { return .alreadyFired }
            var record = run
            record.status = .queued
            try record.insert(db)
            try db.execute(
                sql: "UPDATE scheduleFire SET lastSlot = ?, runId = ? WHERE repository = ? AND cron = ?",
                arguments: [slot, record.id, repository, cron])
            return .fired(run: record.id ?? 0)
        }
    }

    /// Runs in state `queued`.
    public func queueDepth() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run WHERE status = 'queued'") ?? 0 }
    }

    /// How many runs are in each state.
    public func runCounts() throws -> [RunStatus: Int] {
        try database.read { db in
            var counts: [RunStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM run GROUP BY status") {
                if let status = RunStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    /// Stored deliveries, newest first.
    public func deliveries(limit: Int) throws -> [DeliveryRecord] {
        try database.read { db in try DeliveryRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// One stored delivery.
    public func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try database.read { db in try DeliveryRecord.fetchOne(db, key: id) }
    }

    /// `body` in an immediate transaction (the write lock taken at BEGIN, so concurrent claims never interleave).
    func immediate<T>(_ body: (Database) throws -> T) throws -> T {
        try database.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError("a queue transaction returned nothing") }
            return result
        }
    }
}
