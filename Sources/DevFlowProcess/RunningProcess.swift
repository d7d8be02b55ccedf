#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A handle on a process started by ``ProcessLauncher/run(_:onStart:onLine:)``, passed to its `onStart`.
///
/// It may be kept and used from any thread. All signals are sent by the thread inside `run`, which keeps the
/// child unreaped (so its pid and process-group id cannot be reused) until it has finished signalling; a
/// ``cancel(graceful:)`` after `run` has returned does nothing.
public final class RunningProcess: @unchecked Sendable {
    /// The child's pid, which is also its process-group and session id: the child leads its own session and
    /// group, and everything it starts stays in that group unless it calls `setsid`/`setpgid` itself.
    public let pid: pid_t

    enum Request: Int, Comparable {
        case none = 0, graceful, immediate
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let mutex = PosixMutex()
    /// Guarded by `mutex`.
    private var request = Request.none
    /// Guarded by `mutex`; -1 once `run` has finished.
    private var wakeFD: Int32

    init(pid: pid_t, wakeFD: Int32) {
        self.pid = pid
        self.wakeFD = wakeFD
    }

    /// Stops the process and everything in its process group.
    ///
    /// - Parameter graceful: `true` sends `SIGTERM` to the group, then `SIGKILL` after the spec's `killGrace`;
    ///   `false` sends `SIGKILL` to the group at once. A non-graceful cancel after a graceful one escalates.
    ///
    /// Returns at once; `run` returns once the group is gone (its outcome has `cancelled == true`).
    /// Calling it again, or after the process has ended, does nothing.
    public func cancel(graceful: Bool = true) {
        mutex.withLock {
            let wanted: Request = graceful ? .graceful : .immediate
            guard wakeFD >= 0, wanted > request else { return }
            request = wanted
            SystemCalls.wake(wakeFD)
        }
    }

    /// The strongest cancel asked for so far.
    var pendingRequest: Request { mutex.withLock { request } }

    /// Called by `run` before it closes the wake-up descriptor: later cancels do nothing.
    func finish() { mutex.withLock { wakeFD = -1 } }
}
