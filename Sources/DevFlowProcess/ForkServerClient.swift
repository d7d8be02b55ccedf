#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The runner's side of a ``ForkServer``: starts the server process once (connected by a Unix socket pair), then
/// sends it calls, one at a time.
/// A call blocks the calling thread until its forked process has ended; a cancel may come from any thread.
public final class ForkServerClient: @unchecked Sendable {
    /// The server process's pid.
    public let pid: pid_t
    private let socket: Int32
    private var responses: ForkServerFrameReader
    private let mutex = PosixMutex()
    /// Guarded by `mutex`: false once the server is gone or the connection broke.
    private var usable = true
    /// Guarded by `mutex`: a call is running and may be cancelled.
    private var running = false
    /// Guarded by `mutex`: the descriptors are closed and the server reaped.
    private var closed = false

    private init(pid: pid_t, socket: Int32) {
        self.pid = pid
        self.socket = socket
        self.responses = ForkServerFrameReader(fd: socket)
    }

    deinit { close() }

    /// Whether the server can take another call: nothing broke so far, and it has not closed its end (an idle
    /// server never sends anything, so a readable socket means it is gone).
    public var isUsable: Bool {
        mutex.withLock {
            guard usable, !running else { return usable }
            var fd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, 0) != 0 { usable = false }
            return usable
        }
    }

    /// How one call ended.
    public enum CallResult: Sendable, Equatable {
        /// The forked process ran and ended so (its duration is from the fork request to the answer).
        case ended(ProcessOutcome)
        /// The server did not start the call, for this reason; the server is still usable.
        case refused(String)
        /// The server was gone before the call could be sent: nothing ran; the client is unusable.
        case unreachable
        /// The server went away before it answered (the forked process dies with it); the client is unusable.
        case lost
        /// The server did not answer by the call's timeout, its grace and ``responseMargin``: it was killed (and the
        /// forked process with it); the client is unusable.
        case unresponsive
    }

    /// How long after a call's timeout and grace the server may take to answer before it is taken for stuck.
    public static let responseMargin: Duration = .seconds(2)

    /// Starts `executable arguments…` as a fork server with `environment`, in a process group of its own (so the
    /// terminal's Ctrl-C reaches the runner, which cancels calls itself), with default signal dispositions, the
    /// socket as its stdin, and stdout and stderr to `/dev/null`.
    public static func start(executable: String, arguments: [String], environment: [String: String]) -> Result<
        ForkServerClient, ProcessLaunchError
    > {
        func failure(_ operation: String, _ code: Int32) -> Result<ForkServerClient, ProcessLaunchError> {
            .failure(ProcessLaunchError(executable: executable, operation: operation, code: code))
        }
        var ends: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { return failure("socketpair", errno) }
        let (ours, theirs) = (ends[0], ends[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        ProcessLauncher.setDefaultSignals(&attributes, flags: Int32(POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var status = posix_spawn_file_actions_adddup2(&actions, theirs, 0)
        if status == 0 { status = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        if status == 0 { status = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        if status == 0, let addCloseFrom = SystemCalls.addCloseFrom { status = addCloseFrom(&actions, 3) }
        var pid: pid_t = 0
        if status == 0 {
            status = ProcessLauncher.withCStringArray([executable] + arguments) { argv in
                ProcessLauncher.withEnvironmentBlock(environment) { envp in
                    posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                }
            }
        }
        SystemCalls.closeIgnoringErrors(theirs)
        guard status == 0 else {
            SystemCalls.closeIgnoringErrors(ours)
            return failure("posix_spawn", status)
        }
        return .success(ForkServerClient(pid: pid, socket: ours))
    }

    /// Runs one call and waits for it; `onStart` gets a handle that cancels it (from any thread).
    public func call(_ call: ForkServerCall, onStart: (ForkServerRunningCall) -> Void = { _ in }) -> CallResult {
        let started = SystemCalls.monotonicNanoseconds()
        let sent = mutex.withLock {
            guard usable, !running else { return false }
            guard ForkServerFrame(.call, call.fields).deliver(to: socket) else {
                usable = false
                return false
            }
            running = true
            return true
        }
        guard sent else { return .unreachable }
        defer { mutex.withLock { running = false } }
        let deadline = call.timeout.map {
            started + SystemCalls.nanoseconds($0) + SystemCalls.nanoseconds(call.killGrace)
                + SystemCalls.nanoseconds(Self.responseMargin)
        }
        while true {
            switch responses.next(deadline: deadline) {
            case .frame(let frame):
                switch frame.kind {
                case .started:
                    if let first = frame.fields.first, let pid = pid_t(first) {
                        onStart(ForkServerRunningCall(client: self, pid: pid))
                    }
                case .refused:
                    return .refused(frame.fields.first ?? "the fork server refused the call")
                case .ended:
                    let fields = frame.fields + Array(repeating: "-", count: max(0, 4 - frame.fields.count))
                    let ended = SystemCalls.monotonicNanoseconds()
                    return .ended(
                        ProcessOutcome(
                            exitCode: Int32(fields[0]), signal: Int32(fields[1]), timedOut: fields[2] == "1",
                            cancelled: fields[3] == "1", duration: .nanoseconds(ended - started)))
                case .call, .cancelGraceful, .cancelImmediate:
                    break  // never sent by a server
                }
            case .closed, .malformed:
                mutex.withLock { usable = false }
                return .lost
            case .expired:
                mutex.withLock { usable = false }
                _ = kill(pid, SIGKILL)
                return .unresponsive
            }
        }
    }

    /// Sends a cancel for the running call, if there is one.
    func cancel(graceful: Bool) {
        mutex.withLock {
            guard usable, running else { return }
            if !ForkServerFrame(graceful ? .cancelGraceful : .cancelImmediate).deliver(to: socket) { usable = false }
        }
    }

    /// Marks the client unusable and closed; true the first time (the caller then closes the socket and reaps).
    private func markClosed() -> Bool {
        mutex.withLock {
            usable = false
            defer { closed = true }
            return !closed
        }
    }

    /// Closes the connection and lets the server end by itself, as it does when the runner dies; waits up to
    /// `patience` for it, then kills it. Returns whether it ended by itself. Later calls are `unreachable`.
    @discardableResult
    public func disconnect(patience: Duration = .seconds(5)) -> Bool {
        guard markClosed() else { return false }
        // shutdown, not only close: a call blocked reading this socket on another thread keeps it open otherwise.
        _ = shutdown(socket, Int32(SHUT_RDWR))
        SystemCalls.closeIgnoringErrors(socket)
        let deadline = SystemCalls.monotonicNanoseconds() + SystemCalls.nanoseconds(patience)
        while SystemCalls.monotonicNanoseconds() < deadline {
            if SystemCalls.hasExited(pid) {
                _ = SystemCalls.reap(pid)
                return true
            }
            usleep(2_000)
        }
        _ = kill(pid, SIGKILL)
        _ = SystemCalls.reap(pid)
        return false
    }

    /// Stops the server (it is killed, which also kills a call it runs) and reaps it; later calls are `lost`.
    public func close() {
        guard markClosed() else { return }
        SystemCalls.closeIgnoringErrors(socket)
        _ = kill(pid, SIGKILL)
        _ = SystemCalls.reap(pid)
    }
}

/// A call running in a fork server: its forked process's pid, and a cancel.
public struct ForkServerRunningCall: Sendable {
    let client: ForkServerClient
    /// The forked process's pid (also its process group's id).
    public let pid: pid_t

    /// Stops the call: `graceful` sends SIGTERM to its group, then SIGKILL after the call's grace; otherwise SIGKILL
    /// at once. Nothing happens once the call has ended.
    public func cancel(graceful: Bool = true) { client.cancel(graceful: graceful) }
}
