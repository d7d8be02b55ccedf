import Foundation
import GRDB

/// Commits journaled nodes to SQLite off the runner's path, several per transaction.
///
/// A finished node is durable once its journal line is written (see `NodeJournal`); SQLite gets it at most
/// `delay` later, in one transaction with every node that finished meanwhile. A 1,000-step chain then makes a few
/// dozen transactions instead of 1,000 (each of which wrote five WAL pages and woke this queue's thread), and a
/// crash in between loses nothing: the journal is replayed. `flush` commits what is pending at once, so reads
/// through the store never miss a node.
final class GroupCommitter: @unchecked Sendable {
    /// How long a finished node may wait for its SQLite transaction (it is in the journal meanwhile).
    static let delay: DispatchTimeInterval = .milliseconds(20)

    private let database: any DatabaseWriter
    private let queue = DispatchQueue(label: "devflow.store.commits")
    private let lock = NSLock()
    private var pending: [NodeCommit] = []
    /// Nodes that started (run, node, time), marked running in the next transaction, before its finished nodes.
    private var starts: [(run: Int64, node: String, at: Date)] = []
    private var scheduled = false
    private var failed = false

    private let takenOver: TakenOverRuns

    init(database: any DatabaseWriter, takenOver: TakenOverRuns) {
        self.database = database
        self.takenOver = takenOver
    }

    /// Whether a background transaction failed (its nodes are still in the journal, to be replayed).
    var hasFailed: Bool { lock.withLock { failed } }

    /// Queues `commit` (already journaled) for the next group transaction.
    func enqueue(_ commit: NodeCommit) {
        schedule { pending.append(commit) }
    }

    /// Queues a node's start for the next group transaction (not journaled: a start is a hint for watchers, and a
    /// node that finished is never marked running again).
    func enqueueStart(run: Int64, node: String, at date: Date) {
        schedule { starts.append((run, node, date)) }
    }

    /// Adds to what is pending under the lock, and schedules the next group transaction if none is.
    private func schedule(_ add: () -> Void) {
        let first = lock.withLock {
            add()
            if scheduled { return false }
            scheduled = true
            return true
        }
        if first { queue.asyncAfter(deadline: .now() + Self.delay) { [self] in commitPending() } }
    }

    /// Commits what is pending and waits for the transactions already under way.
    func flush() { queue.sync { commitPending() } }

    /// Commits the pending nodes in one transaction, in the order they finished (on `queue`).
    private func commitPending() {
        let (batch, started) = lock.withLock {
            let batch = (pending, starts)
            pending.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            scheduled = false
            return batch
        }
        guard !batch.isEmpty || !started.isEmpty else { return }
        do {
            let dropped = try database.write { db -> [(Int64, Takeover)] in
                for start in started {
                    try SQLiteRunStore.markRunning(run: start.run, node: start.node, at: start.at, in: db)
                }
                var dropped: [(Int64, Takeover)] = []
                for commit in batch {
                    if let takeover = try commit.apply(in: db) { dropped.append((commit.node.runId, takeover)) }
                }
                return dropped
            }
            // The run's next write is refused at once (see `SQLiteRunStore.finishNode`).
            for (run, takeover) in dropped { takenOver.record(run, takeover) }
        } catch {
            lock.withLock { failed = true }
        }
    }
}
