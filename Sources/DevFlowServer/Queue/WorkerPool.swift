import DevFlowStore
import Foundation
import Logging
import ServiceLifecycle

/// The in-process workers of `devflow serve`: each claims the oldest runnable run, executes it, and waits for the
/// doorbell (or a poll interval) when the queue is empty. On graceful shutdown they stop claiming, give running
/// steps the grace period, then cancel them.
struct WorkerPool: Service {
    let context: ServerContext
    let logger: Logger

    func run() async throws {
        let count = context.settings.workers
        // No workers: an accept-only server (webhooks and schedules); other processes on the store run the queue.
        guard count > 0 else { return try await gracefulShutdown() }
        let statuses = CommitStatusPublisher(context: context, logger: logger)
        try await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { await self.loop(index, statuses: statuses) }
                }
            }
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

    func loop(_ index: Int, statuses: CommitStatusPublisher) async {
        let worker = "\(SQLiteRunStore.hostName):\(getpid()):\(index)"
        let executor = RunExecutor(context: context, worker: worker, slot: index, statuses: statuses)
        let notifier = RunNotifier(context: context, logger: logger)
        while !context.shutdown.isStopping {
            context.workerBeats.beat(index)
            let claimed: RunRecord?
            do {
                claimed = try context.queue.claimRun(
                    worker: worker, now: Date(), lease: context.settings.leaseSeconds)
            } catch {
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
        guard parts.count == 3, String(parts[0]) == SQLiteRunStore.hostName, let pid = Int32(parts[1]) else {
            return false
        }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
