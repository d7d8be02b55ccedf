import DevFlowStore
import Foundation

/// The queue on PostgreSQL: claims take the oldest claimable run with `FOR UPDATE SKIP LOCKED`, so workers on any
/// number of hosts claim different runs without waiting for one another; a concurrency group's admission is
/// serialised by a transaction-scoped advisory lock on the group's name.
extension PostgresRunStore: RunQueue {
    /// Stores the delivery and queues its runs in one transaction; a known (forge, key) pair changes nothing, even
    /// when two servers receive the same delivery at once (the unique key decides).
    public func recordDelivery(_ delivery: DeliveryRecord, queue runs: [RunRecord]) throws -> DeliveryReceipt {
        try write { session in
            var stored = delivery
            stored.runId = nil
            guard let id = try session.insert(stored, into: "delivery", onConflict: "(forge, deliveryKey)") else {
                let existing =
                    try session.value(
                        Int64.self, "SELECT id FROM delivery WHERE forge = ? AND deliveryKey = ?",
                        [delivery.forge, delivery.deliveryKey]) ?? 0
                let runs = try session.column(
                    Int64.self, "SELECT runId FROM deliveryRun WHERE deliveryId = ? ORDER BY runId", [existing])
                return .duplicate(delivery: existing, runs: runs)
            }
            var ids: [Int64] = []
            for var run in runs {
                run.status = .queued
                if let runId = try session.insert(run, into: "run") { ids.append(runId) }
            }
            if let first = ids.first {
                try session.execute("UPDATE delivery SET runId = ? WHERE id = ?", [first, id])
            }
            for run in ids {
                try session.execute("INSERT INTO deliveryRun (deliveryId, runId) VALUES (?, ?)", [id, run])
            }
            try notifyQueued(session, count: ids.count)
            return .stored(delivery: id, runs: ids)
        }
    }

    /// Queues a run.
    public func enqueue(_ run: RunRecord) throws -> RunRecord {
        try write { session in
            var record = run
            record.status = .queued
            record.id = try session.insert(record, into: "run")
            try notifyQueued(session, count: 1)
            return record
        }
    }

    /// Wakes listening workers (`LISTEN devflow_queue`) when the transaction commits: a hint, never the truth
    /// (workers also poll).
    private func notifyQueued(_ session: PostgresSession, count: Int) throws {
        guard count > 0 else { return }
        try session.execute("SELECT pg_notify('devflow_queue', ?)", [String(count)])
    }

    /// Claims the oldest queued run whose concurrency group has no running run (paused runs and the runs of paused
    /// repositories wait) in one statement; rows another worker is claiming are skipped, not waited for.
    public func claimRun(worker: String, labels: [String], now: Date, lease: TimeInterval) throws -> RunRecord? {
        // The statement lives in a PL/pgSQL function (migration v14-workers) so that each connection plans it once:
        // planning was half of a claim's time on the server.
        try read { session in
            try session.fetchOne(
                RunRecord.self, "SELECT * FROM devflow_claim(?, ?, ?, ?, ?, ?)",
                [
                    worker, offset(now) + lease, now, getpid(), StoreHost.name,
                    WorkerRecord.encodeLabels(labels),
                ])
        }
    }

    /// Claims up to one run per worker in one round trip (`devflow_claim_batch`, migration v15: the claims of
    /// `claimRun` one after another inside the database); the runs come back in claim order.
    public func claimRuns(workers: [String], labels: [String], now: Date, lease: TimeInterval) throws -> [RunRecord] {
        guard workers.count > 1 else {
            return try workers.first.flatMap { try claimRun(worker: $0, labels: labels, now: now, lease: lease) }
                .map { [$0] } ?? []
        }
        let names = String(decoding: (try? JSONEncoder().encode(workers)) ?? Data("[]".utf8), as: UTF8.self)
        return try read { session in
            try session.fetchAll(
                RunRecord.self, "SELECT * FROM devflow_claim_batch(?, ?, ?, ?, ?, ?)",
                [names, offset(now) + lease, now, getpid(), StoreHost.name, WorkerRecord.encodeLabels(labels)])
        }
    }

    /// Extends the lease of a run `worker` still holds to `until` by the worker's clock: the lease ends as many
    /// seconds from the database's now as `until` is from the worker's.
    public func renewLease(run: Int64, worker: String, until: Date) throws -> LeaseState? {
        try read { session in
            let rows = try session.rows(
                """
                UPDATE run SET leaseExpiresAt = now() + make_interval(secs => ?), heartbeatAt = now()
                WHERE id = ? AND workerId = ? AND status = 'running'
                RETURNING cancelRequested
                """, [offset(until), run, worker])
            guard let row = rows.first else { return nil }
            return LeaseState(cancelRequested: try row.decode(String?.self))
        }
    }

    /// Extends the leases of every run in `held` its worker still holds, in one statement (rows in id order, so two
    /// renewals never wait on each other in a cycle), by the worker's clock as `renewLease` does.
    public func renewLeases(_ held: [HeldLease], until: Date) throws -> [Int64: LeaseState] {
        guard !held.isEmpty else { return [:] }
        let sorted = held.sorted { $0.run < $1.run }
        let pairs = sorted.map { ["id": $0.run as Any, "worker": $0.worker] }
        let json = String(
            decoding: (try? JSONSerialization.data(withJSONObject: pairs)) ?? Data("[]".utf8), as: UTF8.self)
        return try read { session in
            let rows = try session.rows(
                """
                UPDATE run SET leaseExpiresAt = now() + make_interval(secs => ?), heartbeatAt = now()
                FROM jsonb_to_recordset(?::jsonb) AS held(id bigint, worker text)
                WHERE run.id = held.id AND run.workerId = held.worker AND run.status = 'running'
                RETURNING run.id, run.cancelRequested
                """, [offset(until), json])
            var states: [Int64: LeaseState] = [:]
            for row in rows {
                let (id, reason) = try row.decode((Int64, String?).self)
                states[id] = LeaseState(cancelRequested: reason)
            }
            return states
        }
    }

    /// Puts a claimed run back in the queue for a worker with `labels`.
    public func requireLabels(run: Int64, worker: String, labels: [String], reason: String) throws {
        try write { session in
            let changed = try session.execute(
                """
                UPDATE run SET status = 'queued', workerId = NULL, leaseExpiresAt = NULL, labels = ?, statusReason = ?
                WHERE id = ? AND workerId = ? AND status = 'running'
                """, [WorkerRecord.encodeLabels(labels), reason, run, worker])
            try notifyQueued(session, count: changed)
        }
    }

    /// Puts a claimed run back in the queue, unclaimed.
    public func release(run: Int64, worker: String) throws {
        try read { session in
            try session.execute(
                """
                UPDATE run SET status = 'queued', workerId = NULL, leaseExpiresAt = NULL
                WHERE id = ? AND workerId = ? AND status = 'running'
                """, [run, worker])
        }
    }

    /// Running runs whose lease ran out (or whose worker is gone): each is marked `interrupted` and queued again as
    /// a new run that resumes it (its succeeded steps and their outputs are reused). Rows being renewed at this
    /// moment are skipped (their lease is alive) and two rescuers never rescue the same run.
    public func rescueExpiredLeases(now: Date, isDead: (String) -> Bool) throws -> [Int64] {
        try write { session in
            // Expiry is judged by the database's clock, the one leases were set by.
            let lapsed = Set(
                try session.column(
                    Int64.self,
                    """
                    SELECT id FROM run WHERE status = 'running' AND workerId IS NOT NULL
                      AND (leaseExpiresAt IS NULL OR leaseExpiresAt < now() + make_interval(secs => ?))
                    """, [offset(now)]))
            let expired = try session.fetchAll(
                RunRecord.self,
                "SELECT * FROM run WHERE status = 'running' AND workerId IS NOT NULL ORDER BY id FOR UPDATE SKIP LOCKED"
            ).filter { run in lapsed.contains(run.id ?? 0) || isDead(run.workerId ?? "") }
            var ids: [Int64] = []
            for old in expired {
                guard let id = old.id else { continue }
                let resumed = RunRecord.resuming(old, id: id, at: now)
                guard let newId = try session.insert(resumed, into: "run") else { continue }
                try session.execute(
                    """
                    UPDATE run SET status = 'interrupted', finishedAt = ?, leaseExpiresAt = NULL, statusReason = ?
                    WHERE id = ?
                    """, [now, "worker \(old.workerId ?? "?") stopped renewing its lease; resumed as run \(newId)", id])
                try session.execute(
                    """
                    UPDATE node SET status = 'interrupted', finishedAt = ?
                    WHERE runId = ? AND status IN ('running', 'pending')
                    """, [now, id])
                try session.execute("UPDATE delivery SET runId = ? WHERE runId = ?", [newId, id])
                try session.execute("UPDATE deliveryRun SET runId = ? WHERE runId = ?", [newId, id])
                ids.append(id)
            }
            try notifyQueued(session, count: ids.count)
            return ids
        }
    }

    /// Stores the compiled graph and pending nodes of a claimed run and admits it to its concurrency group.
    @discardableResult
    public func prepare(
        run: Int64, pipeline: String, graphHash: String, graphJSON: String, nodes: [String], group: String?,
        cancelInProgress: Bool, commit: String, now: Date
    ) throws -> GroupAdmission {
        try write { session in
            if let group { try lockGroup(group, session) }
            try session.execute(
                """
                UPDATE run SET pipeline = ?, graphHash = ?, graphJSON = ?, concurrencyGroup = ?, cancelInProgress = ?,
                  gitCommit = ? WHERE id = ?
                """, [pipeline, graphHash, graphJSON, group, cancelInProgress, commit, run])
            try Self.insertPendingNodes(nodes, run: run, in: session)
            guard let group else { return .admitted }
            return try admit(run: run, group: group, cancelInProgress: cancelInProgress, now: now, session)
        }
    }

    /// Admits a run to its concurrency group (GitHub Actions' semantics), in one transaction.
    public func enterGroup(run: Int64, group: String, cancelInProgress: Bool, now: Date) throws -> GroupAdmission {
        try write { session in
            try lockGroup(group, session)
            return try admit(run: run, group: group, cancelInProgress: cancelInProgress, now: now, session)
        }
    }

    /// Serialises the admissions of one group until the transaction ends, as SQLite's single writer does.
    private func lockGroup(_ group: String, _ session: PostgresSession) throws {
        try session.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", ["devflow.group." + group])
    }

    /// The admission itself (see `SQLiteRunStore`): superseded by a newer run, superseding older waiting ones, busy
    /// while another run of the group runs.
    private func admit(run: Int64, group: String, cancelInProgress: Bool, now: Date, _ session: PostgresSession)
        throws -> GroupAdmission
    {
        if let row = try session.rows("SELECT status, statusReason FROM run WHERE id = ?", [run]).first {
            let (status, reason) = try row.decode((String, String?).self)
            if status == RunStatus.cancelled.rawValue { return .cancelled(reason ?? "cancelled while it waited") }
        }
        try session.execute("UPDATE run SET heartbeatAt = ? WHERE id = ?", [now, run])
        if let newer = try session.value(
            Int64.self, "SELECT MAX(id) FROM run WHERE concurrencyGroup = ? AND id > ?", [group, run])
        {
            let reason = "superseded by run \(newer)"
            try session.execute(
                """
                UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ?, leaseExpiresAt = NULL
                WHERE id = ?
                """, [now, reason, run])
            try cancelPendingNodes(ofRunsWhere: "id = ?", [run], reason: reason, now: now, session)
            return .cancelled(reason)
        }
        let superseded = "superseded by run \(run)"
        try session.execute(
            """
            UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ?
            WHERE concurrencyGroup = ? AND status = 'queued' AND id < ?
            """, [now, superseded, group, run])
        try cancelPendingNodes(
            ofRunsWhere: "concurrencyGroup = ? AND status = 'cancelled' AND statusReason = ?", [group, superseded],
            reason: superseded, now: now, session)
        if cancelInProgress {
            try session.execute(
                """
                UPDATE run SET cancelRequested = ? WHERE concurrencyGroup = ? AND status = 'running'
                  AND id < ? AND cancelRequested IS NULL
                """, [superseded, group, run])
        }
        if let running = try session.value(
            Int64.self, "SELECT MIN(id) FROM run WHERE concurrencyGroup = ? AND status = 'running' AND id != ?",
            [group, run])
        {
            return .busy(running)
        }
        try session.execute(
            """
            UPDATE run SET status = 'running', workerId = NULL, startedAt = COALESCE(startedAt, ?)
            WHERE id = ? AND status = 'queued' AND workerId = ?
            """, [now, run, StoreHost.localWorker])
        return .admitted
    }

    /// Marks the pending nodes of cancelled runs cancelled, so a superseded run does not show steps still to come.
    private func cancelPendingNodes(
        ofRunsWhere condition: String, _ arguments: [any SQLBindable], reason: String, now: Date,
        _ session: PostgresSession
    ) throws {
        try session.execute(
            """
            UPDATE node SET status = 'cancelled', reason = ?, finishedAt = ?
            WHERE status = 'pending' AND runId IN (SELECT id FROM run WHERE \(condition))
            """, [reason, now] + arguments)
    }

    /// Ends a run that started no step.
    public func settle(run: Int64, status: RunStatus, reason: String?, diagnostics: String?, at: Date) throws {
        try read { session in
            try session.execute(
                """
                UPDATE run SET status = ?, statusReason = ?, diagnostics = ?, finishedAt = ?, leaseExpiresAt = NULL
                WHERE id = ?
                """, [status, reason, diagnostics, at, run])
        }
    }

    /// Cancels a queued run now, or asks the worker of a running one to stop it.
    public func requestCancel(run: Int64, reason: String, at: Date) throws {
        try write { session in
            try session.execute(
                "UPDATE run SET status = 'cancelled', finishedAt = ?, statusReason = ? WHERE id = ? AND status = 'queued'",
                [at, reason, run])
            try session.execute(
                "UPDATE run SET cancelRequested = ? WHERE id = ? AND status = 'running' AND cancelRequested IS NULL",
                [reason, run])
        }
    }

    /// Whether another run of the group is running.
    public func groupBusy(_ group: String, besides run: Int64) throws -> Bool {
        try read { session in
            try session.value(
                Bool.self,
                "SELECT EXISTS (SELECT 1 FROM run WHERE concurrencyGroup = ? AND status = 'running' AND id != ?)",
                [group, run]) ?? false
        }
    }

    /// Fires a schedule's slot at most once across every server: the first sight of a schedule inserts its row
    /// (the unique key decides between servers), later fires lock it.
    public func fireSchedule(repository: String, cron: String, slot: Date, run: RunRecord) throws -> ScheduleFire {
        try write { session in
            let inserted = try session.rows(
                """
                INSERT INTO scheduleFire (repository, cron, lastSlot) VALUES (?, ?, ?)
                ON CONFLICT (repository, cron) DO NOTHING RETURNING 1
                """, [repository, cron, slot])
            if !inserted.isEmpty { return .baseline }
            guard
                let last = try session.value(
                    Date.self, "SELECT lastSlot FROM scheduleFire WHERE repository = ? AND cron = ? FOR UPDATE",
                    [repository, cron]), last < slot
            else { return .alreadyFired }
            var record = run
            record.status = .queued
            let id = try session.insert(record, into: "run")
            try session.execute(
                "UPDATE scheduleFire SET lastSlot = ?, runId = ? WHERE repository = ? AND cron = ?",
                [slot, id, repository, cron])
            try notifyQueued(session, count: 1)
            return .fired(run: id ?? 0)
        }
    }

    /// Runs in state `queued`.
    public func queueDepth() throws -> Int {
        try read { session in
            Int(try session.value(Int64.self, "SELECT COUNT(*) FROM run WHERE status = 'queued'") ?? 0)
        }
    }

    /// How many runs are in each state.
    public func runCounts() throws -> [RunStatus: Int] {
        try read { session in
            var counts: [RunStatus: Int] = [:]
            for row in try session.rows("SELECT status, COUNT(*) FROM run GROUP BY status") {
                let (status, count) = try row.decode((String, Int64).self)
                if let status = RunStatus(rawValue: status) { counts[status] = Int(count) }
            }
            return counts
        }
    }

    /// Stored deliveries, newest first.
    public func deliveries(limit: Int) throws -> [DeliveryRecord] {
        try read { session in
            try session.fetchAll(DeliveryRecord.self, "SELECT * FROM delivery ORDER BY id DESC LIMIT ?", [limit])
        }
    }

    /// One stored delivery.
    public func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try read { session in try session.fetchOne(DeliveryRecord.self, "SELECT * FROM delivery WHERE id = ?", [id]) }
    }
}

extension PostgresRunStore: RunControls {
    /// Pauses a queued or running run.
    public func pause(run: Int64, at date: Date) throws -> Bool {
        try read { session in
            try session.execute(
                "UPDATE run SET pausedAt = ? WHERE id = ? AND pausedAt IS NULL AND status IN ('queued', 'running')",
                [date, run]) == 1
        }
    }

    /// Resumes a paused run.
    public func resume(run: Int64) throws -> Bool {
        try read { session in
            try session.execute("UPDATE run SET pausedAt = NULL WHERE id = ? AND pausedAt IS NOT NULL", [run]) == 1
        }
    }

    /// Pauses a repository's queue (again: keeps the first pause's time, takes the new actor and reason).
    public func pauseRepository(_ pause: RepositoryPause) throws {
        try read { session in
            try session.execute(
                """
                INSERT INTO repositoryPause (repository, pausedAt, actor, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (repository) DO UPDATE SET actor = excluded.actor, reason = excluded.reason
                """, [pause.repository, pause.pausedAt, pause.actor, pause.reason])
        }
    }

    /// Resumes a repository's queue.
    public func resumeRepository(_ repository: String) throws -> Bool {
        try read { session in
            try session.execute("DELETE FROM repositoryPause WHERE repository = ?", [repository]) == 1
        }
    }

    /// The paused repositories, by name.
    public func repositoryPauses() throws -> [RepositoryPause] {
        try read { session in
            try session.fetchAll(RepositoryPause.self, "SELECT * FROM repositoryPause ORDER BY repository")
        }
    }
}
