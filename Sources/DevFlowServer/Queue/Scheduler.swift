import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGit
import DevFlowGraph
import DevFlowStore
import Foundation
import Logging
import ServiceLifecycle

/// Fires `on.schedule` crons on each repository's default branch head. Every minute (and at start) it fetches the
/// mirror, reads the pipeline at the head, and asks the store to fire each cron's latest due slot once: a slot missed
/// while the server was down fires once at start (not once per missed slot), and no slot fires twice, across
/// restarts or several servers, because the slot is recorded in the transaction that queues its run.
public struct Scheduler: Service {
    let context: ServerContext
    let logger: Logger
    var interval: TimeInterval = 60

    /// Creates the scheduler of a server.
    public init(context: ServerContext, logger: Logger) {
        self.context = context
        self.logger = logger
    }

    /// Ticks every minute until shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let scheduler = self
                let fired = (try? await offPool { scheduler.tick(now: Date()) }) ?? []
                if !fired.isEmpty { self.context.doorbell.ring() }
                try? await Task.sleep(nanoseconds: UInt64(self.interval * 1_000_000_000))
            }
        }
    }

    /// One pass over the repositories; returns the runs it queued.
    @discardableResult
    public func tick(now: Date) -> [Int64] {
        var queued: [Int64] = []
        for repository in context.settings.configuration.repositories {
            do {
                queued += try fire(repository, now: now)
            } catch {
                logger.warning("schedules of \(repository.name): \(error)")
            }
        }
        return queued
    }

    func fire(_ repository: ServerConfiguration.Repository, now: Date) throws -> [Int64] {
        let mirror = context.mirror(of: repository)
        _ = try mirror.update()
        let branch = repository.defaultBranch
        let head = try mirror.resolve("refs/heads/\(branch)")
        let data = try mirror.readFile(repository.pipeline, at: head)
        guard let graph = Compiler.compile(SourceFile(path: repository.pipeline, bytes: Array(data))).graph else {
            return []  // a pipeline with errors has no schedule to trust; pushes report its errors
        }
        var queued: [Int64] = []
        for cron in graph.triggers.schedule {
            guard let schedule = CronSchedule(cron), let slot = schedule.latestFire(atOrBefore: now) else { continue }
            let event = QueuedEvent(kind: "schedule", branch: branch, summary: "schedule '\(cron)' on '\(branch)'")
            let run = RunRecord.queued(
                repository: repository, event: event, commit: head, ref: "refs/heads/\(branch)", at: now)
            if case .fired(let id) = try context.queue.fireSchedule(
                repository: repository.name, cron: cron, slot: slot, run: run)
            {
                logger.info("schedule '\(cron)' of \(repository.name) fired for \(slot): run \(id)")
                queued.append(id)
            }
        }
        return queued
    }
}
