import Dispatch
import Foundation

/// Calls `expire` once `seconds` have passed, unless disarmed first: a dispatch timer instead of a task that sleeps,
/// so that a request waiting on a model costs no task of its own for its deadline (thousands wait at once in a
/// server; see `bench/load-bench.py`).
public final class TaskDeadline: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var work: DispatchWorkItem?

    /// Arms the timer; `seconds` ≤ 0 never expires.
    public init(seconds: Double, expire: @escaping @Sendable () -> Void) {
        guard seconds > 0 else { return }
        let work = DispatchWorkItem { [weak self] in
            guard let self, self.fire() else { return }
            expire()
        }
        self.work = work
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: work)
    }

    /// Whether the deadline passed before `disarm`.
    public var expired: Bool { lock.withLock { fired } }

    /// Stops the timer; after it returns, `expire` is not called (unless it already was).
    public func disarm() {
        let work = lock.withLock { () -> DispatchWorkItem? in
            defer { self.work = nil }
            return self.work
        }
        work?.cancel()
    }

    private func fire() -> Bool {
        lock.withLock {
            guard work != nil, !fired else { return false }
            fired = true
            return true
        }
    }

    deinit { work?.cancel() }
}
