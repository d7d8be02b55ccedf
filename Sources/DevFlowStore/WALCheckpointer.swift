import Foundation
import GRDB

/// Copies the write-ahead log back into the database off the writers' path. SQLite's own automatic checkpoint runs
/// inside whichever commit crosses the threshold, with two `fdatasync` calls: under a steady stream of small writes
/// (webhook deliveries) that commit, and every writer queued behind it, waits milliseconds. Here a connection of its
/// own runs a passive checkpoint (which never blocks writers or readers) on a timer whenever the log has grown past
/// `threshold`; the writers' automatic checkpoint stays on, much later, as a backstop.
final class WALCheckpointer: @unchecked Sendable {
    /// The log size that starts a checkpoint: SQLite's default automatic checkpoint (1,000 pages of 4 KiB).
    static let threshold = 4 * 1024 * 1024
    /// The writers' automatic checkpoint, in pages, when this runs: a backstop if checkpoints here cannot keep up.
    static let backstopPages = 16_000

    private let connection: DatabaseQueue
    private let counter = NSLock()
    private var count = 0
    /// How many checkpoints copied frames back so far.
    var completed: Int { counter.withLock { count } }
    private let logPath: String
    private let timer: any DispatchSourceTimer

    /// Starts checkpointing the database at `path` every `interval` seconds; stops when released.
    init(path: String, interval: TimeInterval = 0.25) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "devflow.checkpoints"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        logPath = path + "-wal"
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "devflow.store.checkpoints"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.checkpointIfDue() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// One passive checkpoint when the log is past the threshold; a failure (a busy database) waits for the next tick.
    func checkpointIfDue() {
        var status = stat()
        guard stat(logPath, &status) == 0, Int(status.st_size) >= Self.threshold else { return }
        guard let result = try? connection.writeWithoutTransaction({ db in try db.checkpoint(.passive) }),
            result.checkpointedFrameCount > 0
        else { return }
        counter.withLock { count += 1 }
    }
}
