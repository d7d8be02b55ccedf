import Foundation

/// Holds back the new steps of a paused run: steps already running finish, the next one waits until the run is
/// resumed. The engine's heartbeat opens and closes it from the store; cancelling the run wakes whoever waits, so a
/// paused run can still be cancelled.
public final class PauseGate: @unchecked Sendable {
    private let lock = NSLock()
    private var paused = false
    private var released = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates an open gate.
    public init() {}

    /// Whether new steps are held back.
    public var isPaused: Bool {
        lock.lock()
        defer { lock.unlock() }
        return paused
    }

    /// Closes (`true`) or opens (`false`) the gate; opening it wakes every waiter.
    public func set(paused value: Bool) {
        lock.lock()
        paused = value
        let woken = value ? [] : waiters
        if !value { waiters = [] }
        lock.unlock()
        for waiter in woken { waiter.resume() }
    }

    /// Lets every waiter through from now on, paused or not (the run was cancelled: its waiting steps end as
    /// cancelled).
    func release() {
        lock.lock()
        released = true
        let woken = waiters
        waiters = []
        lock.unlock()
        for waiter in woken { waiter.resume() }
    }

    /// Returns at once when the gate is open or released, else when it opens or is released.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if paused && !released {
                waiters.append(continuation)
                lock.unlock()
            } else {
                lock.unlock()
                continuation.resume()
            }
        }
    }
}
