import Foundation

/// The server's durable queue, at the level of intent. A queued run is a `run` row in state `queued`; a worker
/// claims it with a lease it renews by heartbeat; a rescuer re-queues runs whose lease ran out.
///
/// The claim is one statement over the queued runs that are not blocked by their concurrency group, so that on
/// PostgreSQL it becomes `UPDATE … WHERE id = (SELECT id … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING *`.
public protocol RunQueue: Sendable {
    /// Stores `delivery` and queues `runs` (one per ref the delivery updated; none when it is ignored) in one
    /// transaction; a delivery already stored under the same forge and key is not stored again and queues nothing.
    func recordDelivery(_ delivery: DeliveryRecord, queue runs: [RunRecord]) throws -> DeliveryReceipt
    /// Queues a run outside a delivery (schedules, manual triggers).
    func enqueue(_ run: RunRecord) throws -> RunRecord
    /// Claims the oldest queued run that its concurrency group lets start and whose worker labels (if known) are all
    /// among `labels`, for `lease` seconds (on PostgreSQL by the database's clock: a worker's skewed clock cannot
    /// shorten or stretch its lease).
    func claimRun(worker: String, labels: [String], now: Date, lease: TimeInterval) throws -> RunRecord?
    /// Claims up to one run for each of `workers` (the idle slots of one process) as `claimRun` would, one after
    /// another, but in one round trip where the backend can: the i-th run claimed goes to `workers[i]`. Returns
    /// the runs in claim order, fewer than `workers` when fewer are runnable (two runs of one concurrency group
    /// are never claimed together).
    func claimRuns(workers: [String], labels: [String], now: Date, lease: TimeInterval) throws -> [RunRecord]
    /// Gives a claimed run back to the queue because it needs worker `labels` that `worker` lacks (learnt when the
    /// worker compiled it): it stays queued with `reason` until a worker with all of them claims it.
    func requireLabels(run: Int64, worker: String, labels: [String], reason: String) throws
    /// Extends the lease; returns the run's state for its worker, or nil when the worker no longer holds it.
    func renewLease(run: Int64, worker: String, until: Date) throws -> LeaseState?
    /// Extends the leases of `held` runs together (every run one process executes, in one transaction or
    /// statement where the backend can); returns the state of each run its worker still holds, by id: a run
    /// missing from the answer was lost.
    func renewLeases(_ held: [HeldLease], until: Date) throws -> [Int64: LeaseState]
    /// Gives a claimed run back to the queue (its concurrency group is busy): it waits, unclaimed.
    func release(run: Int64, worker: String) throws
    /// Re-queues running runs whose lease ended before `now`, or whose worker `isDead` says is gone (a worker id
    /// names its host and process); returns their ids.
    func rescueExpiredLeases(now: Date, isDead: (String) -> Bool) throws -> [Int64]
    /// Records what a worker learnt at the run's commit: the compiled graph, its pending nodes, the concurrency group;
    /// then admits the run to its group in the same transaction (see `enterGroup`).
    @discardableResult
    func prepare(
        run: Int64, pipeline: String, graphHash: String, graphJSON: String, nodes: [String], group: String?,
        cancelInProgress: Bool, commit: String, now: Date
    ) throws -> GroupAdmission
    /// Admits `run` to its concurrency group, in one transaction: a run with a newer run in its group is cancelled
    /// ("superseded by run N"); otherwise older queued runs of the group are, and with `cancelInProgress` a running
    /// one is asked to stop; the run is `busy` while another run of the group runs. A waiting local run (`queued`,
    /// worker `local`) becomes `running` when admitted.
    func enterGroup(run: Int64, group: String, cancelInProgress: Bool, now: Date) throws -> GroupAdmission
    /// Ends a run that never started a step (`config_error`, `skipped`), with its reason and diagnostics.
    func settle(run: Int64, status: RunStatus, reason: String?, diagnostics: String?, at: Date) throws
    /// Asks a running run to stop (its worker sees it at the next lease renewal); cancels a queued one at once.
    func requestCancel(run: Int64, reason: String, at: Date) throws
    /// Whether another run of `group` is running (an older one, claimed before `run`'s group was known).
    func groupBusy(_ group: String, besides run: Int64) throws -> Bool
    /// Records that `cron` of `repository` is due at `slot` and queues `run` for it, once: a slot already fired (by
    /// this server before a restart, or by another server) queues nothing, and the first sight of a schedule only
    /// records its latest slot (so a new schedule does not fire at once). Slots missed while no server ran collapse
    /// into this one fire.
    func fireSchedule(repository: String, cron: String, slot: Date, run: RunRecord) throws -> ScheduleFire
    /// Runs waiting for a worker.
    func queueDepth() throws -> Int
    /// How many runs are in each state.
    func runCounts() throws -> [RunStatus: Int]
    /// The deliveries stored, newest first.
    func deliveries(limit: Int) throws -> [DeliveryRecord]
    /// One stored delivery.
    func delivery(_ id: Int64) throws -> DeliveryRecord?
}

extension RunQueue {
    /// One `claimRun` per worker, stopping at the first that finds nothing (SQLite: each is a local transaction).
    public func claimRuns(workers: [String], labels: [String], now: Date, lease: TimeInterval) throws -> [RunRecord] {
        var claimed: [RunRecord] = []
        for worker in workers {
            guard let run = try claimRun(worker: worker, labels: labels, now: now, lease: lease) else { break }
            claimed.append(run)
        }
        return claimed
    }

    /// Renews each lease with `renewLease`, one after another.
    public func renewLeases(_ held: [HeldLease], until: Date) throws -> [Int64: LeaseState] {
        var states: [Int64: LeaseState] = [:]
        for lease in held {
            if let state = try renewLease(run: lease.run, worker: lease.worker, until: until) {
                states[lease.run] = state
            }
        }
        return states
    }

    /// Claims the oldest runnable run that needs no worker labels.
    public func claimRun(worker: String, now: Date, lease: TimeInterval) throws -> RunRecord? {
        try claimRun(worker: worker, labels: [], now: now, lease: lease)
    }
}

/// A run a worker holds, for `renewLeases`.
public struct HeldLease: Sendable, Equatable {
    /// The run.
    public var run: Int64
    /// The worker id it was claimed under (`host:pid:slot`).
    public var worker: String

    /// Creates a held lease.
    public init(run: Int64, worker: String) {
        self.run = run
        self.worker = worker
    }
}

/// What a worker learns when it renews its lease.
public struct LeaseState: Sendable, Equatable {
    /// Why the run should stop, if someone asked.
    public var cancelRequested: String?

    /// Creates a state.
    public init(cancelRequested: String?) { self.cancelRequested = cancelRequested }
}

/// Whether a run may start, as its concurrency group decides.
public enum GroupAdmission: Sendable, Equatable {
    /// No other run of the group runs: it starts.
    case admitted
    /// Run N of the group is running: it waits.
    case busy(Int64)
    /// A newer run replaced it (or someone cancelled it while it waited): it ends `cancelled` with this reason.
    case cancelled(String)
}

/// What `fireSchedule` did.
public enum ScheduleFire: Sendable, Equatable {
    /// The schedule was new: its latest slot is recorded, nothing queued.
    case baseline
    /// The slot was due: this run was queued.
    case fired(run: Int64)
    /// The slot had fired already.
    case alreadyFired
}

extension RunRecord {
    /// The queued run that resumes `old` (run `id`, whose lease ran out): the same commit and event, unclaimed, its
    /// succeeded steps to be reused; cancelled at once when someone had asked `old` to stop. Every backend's rescuer
    /// queues this record.
    public static func resuming(_ old: RunRecord, id: Int64, at now: Date) -> RunRecord {
        var resumed = old
        resumed.id = nil
        resumed.status = .queued
        resumed.workerId = nil
        resumed.leaseExpiresAt = nil
        resumed.claims = 0
        resumed.startedAt = nil
        resumed.finishedAt = nil
        resumed.queuedAt = now
        resumed.heartbeatAt = now
        resumed.statusReason = nil
        // A run that never compiled (no graph yet) resumes what it resumed.
        resumed.resumedFrom = old.graphHash.isEmpty ? old.resumedFrom : id
        // The interrupted run already reran what a rerun from a node asked for: resume it as it stood.
        if !old.graphHash.isEmpty { resumed.rerunFrom = nil }
        if old.cancelRequested != nil {
            resumed.status = .cancelled
            resumed.finishedAt = now
            resumed.statusReason = old.cancelRequested
        }
        return resumed
    }
}
