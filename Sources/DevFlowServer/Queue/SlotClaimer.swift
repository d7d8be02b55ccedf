import DevFlowStore
import Foundation

/// Claims runs for the idle slots of one worker process together: slots that ask while a claim is in flight are
/// served by the next one, which asks the queue for a run per waiting slot in one `claimRuns` (one round trip on
/// PostgreSQL, where a claim per round trip capped the queue at about 4,500 claims/s on 2 cores). The i-th run
/// claimed is the i-th waiting slot's, claimed under that slot's worker id; slots left without one get nil.
actor SlotClaimer {
    private let queue: any RunQueue
    private let workerID: String
    private let labels: [String]
    private let lease: TimeInterval
    private var waiting: [(slot: Int, reply: CheckedContinuation<Result<RunRecord?, any Error>, Never>)] = []
    private var claiming = false

    init(queue: any RunQueue, workerID: String, labels: [String], lease: TimeInterval) {
        self.queue = queue
        self.workerID = workerID
        self.labels = labels
        self.lease = lease
    }

    /// The worker id of a slot, as its runs record it.
    nonisolated func worker(slot: Int) -> String { "\(workerID):\(slot)" }

    /// A run for `slot`, nil when none is runnable, or the store's error.
    func claim(slot: Int) async -> Result<RunRecord?, any Error> {
        await withCheckedContinuation { reply in
            waiting.append((slot, reply))
            guard !claiming else { return }
            claiming = true
            Task { await self.drain() }
        }
    }

    /// Serves the waiting slots, a batch per claim, until none waits.
    private func drain() {
        while !waiting.isEmpty {
            let batch = waiting
            waiting.removeAll()
            do {
                let runs = try queue.claimRuns(
                    workers: batch.map { worker(slot: $0.slot) }, labels: labels, now: Date(), lease: lease)
                for (index, waiter) in batch.enumerated() {
                    waiter.reply.resume(returning: .success(index < runs.count ? runs[index] : nil))
                }
            } catch {
                for waiter in batch { waiter.reply.resume(returning: .failure(error)) }
            }
        }
        claiming = false
    }
}
