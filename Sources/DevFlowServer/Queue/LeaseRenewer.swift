import DevFlowRunner
import DevFlowStore
import Foundation
import Logging

/// Renews the leases of every run this process executes, together: one `renewLeases` (one transaction on SQLite,
/// one statement on PostgreSQL) every third of the lease, however many runs are in flight, instead of a write per
/// run. When someone asks a run to stop (a person, a newer run of its concurrency group) it cancels the run's
/// engine; when a lease is lost (another worker's rescuer took the run) it stops that run's steps at once, before
/// anyone else resumes it. A failed renewal (a busy database) is tried again at the next beat: a lease is three
/// beats long.
final class LeaseRenewer: Sendable {
    private struct Held {
        var worker: String
        var lease: RunLease
    }

    private let held = LockedBox<[Int64: Held]>([:])

    /// Renews `run`'s lease (claimed as `worker`) from now on, until `release`; the lease tells the run when to stop.
    func hold(run: Int64, worker: String) -> RunLease {
        let lease = RunLease()
        held.withValue { $0[run] = Held(worker: worker, lease: lease) }
        return lease
    }

    /// Stops renewing `run`'s lease (it finished, or went back to the queue).
    func release(run: Int64) { held.withValue { _ = $0.removeValue(forKey: run) } }

    /// The runs whose leases it renews now.
    var count: Int { held.withValue { $0.count } }

    /// Renews every held lease once; cancels the runs that were lost or asked to stop. Returns how many were lost.
    @discardableResult
    func renewAll(queue: any RunQueue, lease: TimeInterval) throws -> Int {
        let current = held.withValue { $0 }
        guard !current.isEmpty else { return 0 }
        let states = try queue.renewLeases(
            current.map { HeldLease(run: $0.key, worker: $0.value.worker) }, until: Date().addingTimeInterval(lease))
        var lost = 0
        for (run, entry) in current {
            guard let state = states[run] else {
                // Released while the renewal ran: it finished, nothing to stop.
                guard held.withValue({ $0[run] != nil }) else { continue }
                lost += 1
                entry.lease.lose()
                continue
            }
            if state.cancelRequested != nil { entry.lease.cancellation.cancel(graceful: false) }
        }
        return lost
    }

    /// Renews every third of `context`'s lease until cancelled.
    func keep(context: ServerContext, logger: Logger) async {
        let length = context.settings.leaseSeconds
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(length / 3 * 1_000_000_000))
            if Task.isCancelled { return }
            do {
                let lost = try renewAll(queue: context.queue, lease: length)
                if lost > 0 { logger.warning("lost the lease of \(lost) run(s); their steps were stopped") }
            } catch {
                logger.error("cannot renew the leases of \(count) run(s): \(error); trying again at the next beat")
            }
        }
    }
}

/// What a running run learns from its lease: `cancellation` fires when someone asked it to stop or when the lease
/// was lost, and `isLost` tells which.
final class RunLease: Sendable {
    /// Fires on a stop request or a lost lease.
    let cancellation = Cancellation()
    private let lostFlag = LockedBox(false)

    /// Whether another worker took the run over.
    var isLost: Bool { lostFlag.withValue { $0 } }

    /// Marks the lease lost and stops the run.
    func lose() {
        lostFlag.withValue { $0 = true }
        cancellation.cancel(graceful: false)
    }
}
