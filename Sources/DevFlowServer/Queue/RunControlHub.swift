import DevFlowRunner
import DevFlowStore
import Foundation

/// The stop requests and pauses of every run this process executes, read together once a second (one query for
/// all of them, on a dispatch timer) and handed to each run's engine: with 10,000 runs in flight, the per-run
/// heartbeat writes of a local `devflow run` would take the whole of SQLite's single writer. A server run's
/// liveness is its lease (`LeaseRenewer`).
final class RunControlHub: RunControlFeed, @unchecked Sendable {
    private struct Follower {
        var run: Int64
        var update: @Sendable (RunControl) -> Void
    }

    private let store: any RunStore
    private let seconds: Double
    private let lock = NSLock()
    private var followers: [Int: Follower] = [:]
    private var nextToken = 0
    private var timer: (any DispatchSourceTimer)?

    /// A hub over `store` that reads every `seconds`.
    init(store: any RunStore, seconds: Double = 1) {
        self.store = store
        self.seconds = seconds
    }

    /// Calls `update` with `run`'s state at each read until `unfollow`.
    func follow(run: Int64, update: @escaping @Sendable (RunControl) -> Void) -> Int {
        lock.withLock {
            nextToken += 1
            followers[nextToken] = Follower(run: run, update: update)
            if timer == nil {
                let source = DispatchSource.makeTimerSource(queue: .global())
                source.schedule(deadline: .now() + seconds, repeating: seconds)
                source.setEventHandler { [weak self] in self?.read() }
                source.resume()
                timer = source
            }
            return nextToken
        }
    }

    /// Stops the updates of a `follow`; the timer stops with the last follower.
    func unfollow(_ token: Int) {
        lock.withLock {
            followers[token] = nil
            if followers.isEmpty {
                timer?.cancel()
                timer = nil
            }
        }
    }

    /// Runs followed now.
    var count: Int { lock.withLock { followers.count } }

    /// One read for every followed run; a failed read (a busy database) is tried again at the next tick.
    func read() {
        let current = lock.withLock { Array(followers.values) }
        guard !current.isEmpty, let controls = try? store.controls(runs: Array(Set(current.map(\.run)))) else { return }
        for follower in current {
            if let control = controls[follower.run] { follower.update(control) }
        }
    }

    deinit { timer?.cancel() }
}
