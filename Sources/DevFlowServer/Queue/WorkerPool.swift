import DevFlowLint
import DevFlowStore
import Foundation
import Logging
import ServiceLifecycle

/// The in-process workers of `devflow serve`: each claims the oldest runnable run (idle slots together, through
/// `SlotClaimer`), executes it, and waits for the doorbell (or a poll interval) when the queue is empty. On graceful
/// shutdown they stop claiming, give running steps the grace period, then cancel them.
struct WorkerPool: Service {
    let context: ServerContext
    let logger: Logger

    func run() async throws {
        let count = context.settings.workers
        // No workers: an accept-only server (webhooks and schedules); other processes on the store run the queue.
        guard count > 0 else { return try await gracefulShutdown() }
        let statuses = CommitStatusPublisher(context: context, logger: logger)
        register(slots: count)
        defer { try? context.store.stopWorker(id: context.workerID, at: Date()) }
        try await withGracefulShutdownHandler {
            // The heartbeat is not a child of the slots' group: cancelling it when the last slot ends must not
            // cancel a slot that is still giving its run the grace period.
            let beat = Task { await self.heartbeat(slots: count) }
            let claimer = SlotClaimer(
                queue: context.queue, workerID: context.workerID, labels: context.settings.workerLabels,
                lease: context.settings.leaseSeconds)
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { await self.loop(index, claimer: claimer, statuses: statuses) }
                }
            }
            beat.cancel()
        } onGracefulShutdown: {
            context.shutdown.beginStopping()
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
            logger.info(
                "worker \(context.workerID): \(slots) slot(s), labels \(settings.workerLabels.joined(separator: ", "))")
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

    func loop(_ index: Int, claimer: SlotClaimer, statuses: CommitStatusPublisher) async {
        let worker = claimer.worker(slot: index)
        let executor = RunExecutor(context: context, worker: worker, slot: index, statuses: statuses)
        let notifier = RunNotifier(context: context, logger: logger)
        // Cancelled (the service group ended without a graceful shutdown), the doorbell no longer waits: stop
        // claiming rather than spin on an empty queue.
        while !context.shutdown.isStopping && !Task.isCancelled {
            context.workerBeats.beat(index)
            let claimed: RunRecord?
            switch await claimer.claim(slot: index) {
            case .success(let run):
                claimed = run
            case .failure(let error):
                logger.error("worker \(index): cannot claim a run: \(error)")
                await context.doorbell.wait(seconds: context.settings.pollSeconds)
                continue
            }
            guard let run = claimed else {
                await context.doorbell.wait(seconds: context.settings.pollSeconds)
                continue
            }
            let started = Date()
            let outcome = await executor.execute(run)
            logger.info("run \(run.id ?? 0) (\(run.repository ?? "?")): \(outcome)")
            switch outcome {
            case .finished(let status), .settled(let status):
                context.metrics.runFinished(status: status, seconds: Date().timeIntervalSince(started))
                if let id = run.id, let nodes = try? context.store.nodes(run: id) {
                    context.metrics.stepsFinished(nodes)
                }
                notifier.notify(run: run.id ?? 0, status: status)
            case .waiting: break
            }
            if outcome == .waiting { await context.doorbell.wait(seconds: context.settings.pollSeconds) }
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
