import DevFlowLint
import DevFlowRunner
import DevFlowStore
import Foundation
import Logging
import ServiceLifecycle

/// The in-process workers of `devflow serve` and `devflow worker`: one dispatcher claims runs for the idle slots,
/// up to `claimBatch` in one `claimRuns` (one round trip on PostgreSQL), and runs each claimed run in a task of its
/// own; when every slot is busy or nothing is runnable it waits for the doorbell (a queued or a finished run) or the
/// poll interval. A slot is a run in flight with its own workspaces: a run that waits on a model holds a slot but no
/// process (`processes:` bounds those), so thousands of slots fit in one process. On graceful shutdown the
/// dispatcher stops claiming, running steps get the grace period, then they are cancelled.
struct WorkerPool: Service {
    let context: ServerContext
    let logger: Logger

    /// The most runs claimed in one round trip.
    static let claimBatch = 64

    func run() async throws {
        let count = context.settings.workers
        // No workers: an accept-only server (webhooks and schedules); other processes on the store run the queue.
        guard count > 0 else { return try await gracefulShutdown() }
        let statuses = CommitStatusPublisher(context: context, logger: logger)
        register(slots: count)
        defer { try? context.store.stopWorker(id: context.workerID, at: Date()) }
        try await withGracefulShutdownHandler {
            // The heartbeat is not a child of the runs' group: cancelling it when the dispatcher ends must not
            // cancel a run that is still giving its steps the grace period.
            let beat = Task { await self.heartbeat(slots: count) }
            let renewals = Task { await context.leases.keep(context: context, logger: logger) }
            await dispatch(slots: SlotTable(count: count), statuses: statuses)
            beat.cancel()
            renewals.cancel()
        } onGracefulShutdown: {
            context.shutdown.beginStopping()
            context.doorbell.ring()
            let grace = context.settings.shutdownGraceSeconds
            Task {
                let deadline = Date().addingTimeInterval(grace)
                while context.shutdown.running > 0, Date() < deadline {
                    try? await Task.sleep(nanoseconds: 50_000_000)
                }
                context.shutdown.cancelAll(graceful: false)
            }
        }
    }

    /// Records this process in the worker registry (`devflow workers list`).
    func register(slots: Int) {
        let settings = context.settings
        let record = WorkerRecord(
            id: context.workerID, host: StoreHost.name, pid: getpid(), kind: settings.workerKind,
            labels: settings.workerLabels, slots: slots, version: DevFlowVersion.current, startedAt: Date())
        do {
            try context.store.registerWorker(record)
            let labels = settings.workerLabels.joined(separator: ", ")
            logger.info(
                "worker \(context.workerID): \(slots) slot(s), \(settings.processes) process(es), labels \(labels)")
        } catch {
            logger.error("cannot register worker \(context.workerID): \(error)")
        }
    }

    /// Heartbeats in the registry until the workers stop; registers again if the record went missing (a store
    /// restored from a backup, an operator's cleanup).
    func heartbeat(slots: Int) async {
        while !context.shutdown.isStopping && !Task.isCancelled {
            do {
                if try !context.store.workerHeartbeat(id: context.workerID, at: Date()) { register(slots: slots) }
            } catch {
                logger.error("worker \(context.workerID): heartbeat failed: \(error)")
            }
            try? await Task.sleep(nanoseconds: UInt64(WorkerState.heartbeatSeconds * 1_000_000_000))
        }
    }

    /// The worker id a slot's runs record: `host:pid:slot`.
    func worker(slot: Int) -> String { "\(context.workerID):\(slot)" }

    /// Claims and starts runs until the server stops, then waits for the runs in flight. Cancelled (the service
    /// group ended without a graceful shutdown), the doorbell no longer waits: it stops claiming rather than spin.
    func dispatch(slots: SlotTable, statuses: CommitStatusPublisher) async {
        let settings = context.settings
        let notifier = RunNotifier(context: context, logger: logger)
        await withDiscardingTaskGroup { group in
            while !context.shutdown.isStopping && !Task.isCancelled {
                context.workerBeats.beat(0)
                // A ring after this mark (a delivery, a finished run) ends the wait below at once.
                let mark = context.doorbell.generation
                let idle = slots.takeIdle(max: Self.claimBatch)
                guard !idle.isEmpty else {
                    await context.doorbell.wait(seconds: settings.pollSeconds, since: mark)
                    continue
                }
                let runs: [RunRecord]
                do {
                    runs = try context.queue.claimRuns(
                        workers: idle.map(worker(slot:)), labels: settings.workerLabels, now: Date(),
                        lease: settings.leaseSeconds)
                } catch {
                    slots.free(idle)
                    logger.error("worker \(context.workerID): cannot claim runs: \(error)")
                    await context.doorbell.wait(seconds: settings.pollSeconds, since: context.doorbell.generation)
                    continue
                }
                slots.free(Array(idle.dropFirst(runs.count)))
                for (slot, run) in zip(idle, runs) {
                    group.addTask {
                        let outcome = await self.execute(run, slot: slot, statuses: statuses, notifier: notifier)
                        slots.free([slot])
                        // A finished run frees a slot (and maybe its concurrency group); one handed back as
                        // waiting would only be claimed again.
                        if outcome != .waiting { context.doorbell.ring() }
                    }
                }
                if runs.count < idle.count { await context.doorbell.wait(seconds: settings.pollSeconds, since: mark) }
            }
        }
    }

    /// Executes one claimed run in `slot` and records its metrics.
    func execute(_ run: RunRecord, slot: Int, statuses: CommitStatusPublisher, notifier: RunNotifier) async
        -> RunExecutor.Outcome
    {
        let executor = RunExecutor(context: context, worker: worker(slot: slot), slot: slot, statuses: statuses)
        let started = Date()
        // The lease is renewed from the claim on: a run may wait for a preparation permit longer than its lease
        // when a burst of claims arrives at once.
        guard let id = run.id else { return .settled(.failed) }
        let lease = context.leases.hold(run: id, worker: executor.worker)
        defer { context.leases.release(run: id) }
        let outcome = await executor.execute(run, lease: lease)
        logger.info("run \(run.id ?? 0) (\(run.repository ?? "?")): \(outcome)")
        switch outcome {
        case .finished(let status), .settled(let status):
            context.metrics.runFinished(status: status, seconds: Date().timeIntervalSince(started))
            if let id = run.id, let nodes = try? context.store.nodes(run: id) {
                context.metrics.stepsFinished(nodes)
            }
            notifier.notify(run: run.id ?? 0, status: status)
        case .waiting, .lost: break
        }
        return outcome
    }
}

/// The slots of one worker process: which are idle. The lowest idle slots are taken first, so a process that is
/// rarely busy keeps reusing its first workspaces.
final class SlotTable: Sendable {
    private let busy: LockedBox<[Bool]>

    /// Creates `count` idle slots.
    init(count: Int) { busy = LockedBox(Array(repeating: false, count: count)) }

    /// Marks up to `max` of the lowest idle slots busy and returns them.
    func takeIdle(max: Int) -> [Int] {
        busy.withValue { busy in
            var taken: [Int] = []
            for index in busy.indices where !busy[index] {
                busy[index] = true
                taken.append(index)
                if taken.count == max { break }
            }
            return taken
        }
    }

    /// Marks `slots` idle again.
    func free(_ slots: [Int]) {
        busy.withValue { busy in
            for slot in slots { busy[slot] = false }
        }
    }
}

/// Re-queues runs whose worker stopped renewing its lease (a crashed server or worker), every few seconds; at start
/// it runs at once, so a restart after `kill -9` resumes what was running.
struct LeaseRescuer: Service {
    let context: ServerContext
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let rescued = try self.context.queue.rescueExpiredLeases(now: Date(), isDead: Self.isDeadHere)
                    if !rescued.isEmpty {
                        self.logger.notice("re-queued runs whose lease expired: \(rescued)")
                        self.context.doorbell.ring()
                    }
                } catch {
                    self.logger.error("rescuer: \(error)")
                }
                try? await Task.sleep(nanoseconds: UInt64(self.context.settings.leaseSeconds / 3 * 1_000_000_000))
            }
        }
    }

    /// A worker id (`host:pid:index`) of this host whose process is gone (or is not a devflow server: pid reuse is
    /// not guarded beyond that, and the lease expiry covers everything else).
    @Sendable static func isDeadHere(_ worker: String) -> Bool {
        let parts = worker.split(separator: ":")
        // `host:pid:slot`, or `host:pid.N:slot` for a second server context of one process.
        guard parts.count == 3, String(parts[0]) == StoreHost.name,
            let pid = Int32(parts[1].prefix { $0 != "." })
        else {
            return false
        }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
