import DevFlowRunner
import DevFlowStore
import Foundation

/// Renews a running run's lease every third of its length. When someone asks the run to stop (a person, a newer
/// run of its concurrency group) it cancels the engine; when the lease is lost (another worker's rescuer took the
/// run) it stops the run's steps at once, before anyone else resumes it.
struct LeaseKeeper: Sendable {
    let context: ServerContext
    let run: Int64
    let worker: String
    let cancellation: Cancellation

    func keep() async {
        let length = context.settings.leaseSeconds
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(length / 3 * 1_000_000_000))
            if Task.isCancelled { return }
            do {
                guard
                    let state = try context.queue.renewLease(
                        run: run, worker: worker, until: Date().addingTimeInterval(length))
                else {
                    cancellation.cancel(graceful: false)
                    return
                }
                if state.cancelRequested != nil { cancellation.cancel(graceful: false) }
            } catch {
                // A busy database: try again at the next beat; the lease is three beats long.
            }
        }
    }
}
