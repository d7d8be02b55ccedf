import CDevFlowSpawn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One call for a fork server: what its forked process runs and under which limits.
public struct ForkServerCall: Sendable, Equatable {
    /// Handed to the server's body in the forked process.
    public var arguments: [String]
    /// The forked process's complete environment (`environ` is replaced with it before the body runs).
    public var environment: [String: String]
    /// The forked process's working directory; nil keeps the server's.
    public var workingDirectory: String?
    /// The file the forked process's stdout goes to (created or truncated, mode 0600).
    public var stdoutPath: String
    /// The file the forked process's stderr goes to (created or truncated, mode 0600).
    public var stderrPath: String
    /// `RLIMIT_DATA` of the forked process in bytes; nil inherits the server's.
    public var memoryLimit: Int?
    /// Wall-clock limit from the fork: then SIGTERM to its process group, SIGKILL after `killGrace`; nil is none.
    public var timeout: Duration?
    /// How long a SIGTERM (timeout or graceful cancel) is given before SIGKILL.
    public var killGrace: Duration

    /// A call; see the properties.
    public init(
        arguments: [String], environment: [String: String], workingDirectory: String?, stdoutPath: String,
        stderrPath: String, memoryLimit: Int? = nil, timeout: Duration? = nil, killGrace: Duration = .seconds(5)
    ) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.memoryLimit = memoryLimit
        self.timeout = timeout
        self.killGrace = killGrace
    }

    /// The call frame's fields: directory (empty for none), stdout, stderr, memory limit, timeout and grace in
    /// nanoseconds (`-` for none), the number of arguments, the arguments, then `NAME=value` entries.
    var fields: [String] {
        [
            workingDirectory ?? "", stdoutPath, stderrPath, memoryLimit.map(String.init) ?? "-",
            timeout.map { String(SystemCalls.nanoseconds($0)) } ?? "-", String(SystemCalls.nanoseconds(killGrace)),
            String(arguments.count),
        ] + arguments + environment.map { "\($0.key)=\($0.value)" }
    }

    /// The call in a frame's fields, or nil when they are not one.
    init?(fields: [String]) {
        guard fields.count >= 7, let count = Int(fields[6]), count >= 0, fields.count >= 7 + count,
            let grace = Int64(fields[5])
        else { return nil }
        workingDirectory = fields[0].isEmpty ? nil : fields[0]
        stdoutPath = fields[1]
        stderrPath = fields[2]
        memoryLimit = Int(fields[3])
        timeout = Int64(fields[4]).map { .nanoseconds($0) }
        killGrace = .nanoseconds(grace)
        arguments = Array(fields[7..<(7 + count)])
        var environment: [String: String] = [:]
        for entry in fields[(7 + count)...] {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        self.environment = environment
    }
}

/// A fork server: a process that is already loaded and initialised, and forks itself once per call instead of
/// executing a new program. It reads calls from the Unix socket on its stdin and answers on it (``ForkServerFrame``); each call runs
/// `body` in a fresh forked process with the call's environment, directory, output files and memory limit, in a
/// process group of its own, under the call's timeout. A crash, a hang or runaway memory ends that process only.
///
/// The server handles one call at a time and must stay single-threaded (forking a process with other threads can
/// leave their locks held in the child): it refuses a call when it has more than one thread, and the client then
/// starts the call's program another way. It ends when the socket closes (the runner exited or died), and so does a
/// running call.
public enum ForkServer {
    /// The server's socket to its client: its stdin.
    static let connection: Int32 = 0

    /// Serves calls until the socket closes; returns the exit code for the server process.
    public static func serve(body: (_ arguments: [String], _ environment: [String: String]) -> Int32) -> Int32 {
        // No parent-death signal here: it follows the thread that started the server, and a runner's threads come
        // and go. The runner's end of the socket closes when it exits or dies, and the read that sees it (between
        // calls, or while one runs) ends the server, and a running call with it.
        var input = ForkServerFrameReader(fd: connection)
        while true {
            switch input.next() {
            case .closed, .expired: return 0  // no deadline here: never expired
            case .malformed: return 2
            case .frame(let frame):
                guard frame.kind == .call else { continue }  // a cancel that arrived after its call ended
                guard let call = ForkServerCall(fields: frame.fields) else {
                    guard ForkServerFrame(.refused, ["the call could not be read"]).deliver(to: connection) else {
                        return 0
                    }
                    continue
                }
                if !run(call, input: &input, body: body) { return 0 }
            }
        }
    }

    /// Runs one call; false when the client is gone.
    private static func run(
        _ call: ForkServerCall, input: inout ForkServerFrameReader,
        body: ([String], [String: String]) -> Int32
    ) -> Bool {
        func refuse(_ why: String) -> Bool { ForkServerFrame(.refused, [why]).deliver(to: connection) }
        let threads = threadCount()
        guard threads == 1 else { return refuse("the fork server has \(threads) threads; it forks only with one") }
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let stdout = open(call.stdoutPath, flags, 0o600)
        guard stdout >= 0 else {
            return refuse("cannot open '\(call.stdoutPath)': \(String(cString: strerror(errno)))")
        }
        let stderr = open(call.stderrPath, flags, 0o600)
        guard stderr >= 0 else {
            close(stdout)
            return refuse("cannot open '\(call.stderrPath)': \(String(cString: strerror(errno)))")
        }
        let started = SystemCalls.monotonicNanoseconds()
        let pid = devflow_fork()
        if pid == 0 { child(call, stdout: stdout, stderr: stderr, body: body) }
        close(stdout)
        close(stderr)
        guard pid > 0 else { return refuse("fork failed: \(String(cString: strerror(errno)))") }
        _ = setpgid(pid, pid)  // also done by the child: whichever runs first, signals to -pid reach it
        guard ForkServerFrame(.started, [String(pid)]).deliver(to: connection) else {
            _ = kill(-pid, SIGKILL)
            _ = SystemCalls.reap(pid)
            return false
        }
        var wait = CallWait(pid: pid, started: started, call: call)
        let clientGone = !wait.run(input: &input)
        _ = kill(-pid, SIGKILL)  // whatever is left of its group
        let status = SystemCalls.reap(pid)
        if clientGone { return false }
        let none = "-"
        return ForkServerFrame(
            .ended,
            [
                status.exitCode.map { String($0) } ?? none, status.signal.map { String($0) } ?? none,
                wait.timedOut ? "1" : "0", wait.cancelled ? "1" : "0",
            ]
        ).deliver(to: connection)
    }

    /// The forked process: its own group, the call's descriptors, directory, limit and environment, then `body`.
    private static func child(
        _ call: ForkServerCall, stdout: Int32, stderr: Int32, body: ([String], [String: String]) -> Int32
    ) -> Never {
        _ = devflow_set_parent_death_signal(SIGKILL)
        _ = setpgid(0, 0)
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 { _ = dup2(null, 0) } else { close(0) }  // never the server's socket
        _ = dup2(stdout, 1)
        _ = dup2(stderr, 2)
        var mask = sigset_t()
        sigemptyset(&mask)
        _ = sigprocmask(SIG_SETMASK, &mask, nil)
        if let directory = call.workingDirectory, chdir(directory) != 0 {
            let message = "cannot change to the working directory '\(directory)': \(String(cString: strerror(errno)))\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            _exit(127)
        }
        if let limit = call.memoryLimit, limit > 0 {
            var bound = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
            _ = setrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &bound)
        }
        _ = clearenv()
        for (name, value) in call.environment { _ = setenv(name, value, 1) }
        let code = body(call.arguments, call.environment)
        fflush(nil)  // _exit skips stdio's buffers: whatever the body printed through them is written first
        _exit(code)
    }

    /// The number of threads of this process (entries of `/proc/self/task`); 0 when it cannot be read.
    static func threadCount() -> Int {
        guard let directory = opendir("/proc/self/task") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != 0x2E { count += 1 }  // not "." or ".."
        }
        return count
    }
}

/// Waits for one forked call: its exit, its timeout, cancels from the client, and the grace before SIGKILL.
private struct CallWait {
    let pid: pid_t
    let started: Int64
    let call: ForkServerCall
    var timedOut = false
    var cancelled = false
    private var killAt: Int64?
    private var killed = false

    init(pid: pid_t, started: Int64, call: ForkServerCall) {
        self.pid = pid
        self.started = started
        self.call = call
    }

    /// Returns when the process has exited (true) or the client closed the connection (false).
    mutating func run(input: inout ForkServerFrameReader) -> Bool {
        let pidFD = SystemCalls.pidFDOpen.map { $0(pid, 0) } ?? -1  // our unreaped child: the pid is still ours
        defer { SystemCalls.closeIgnoringErrors(pidFD) }
        let deadline = call.timeout.map { started + SystemCalls.nanoseconds($0) }
        while true {
            while let ready = input.buffered() {
                guard case .frame(let frame) = ready else { return false }
                apply(frame.kind, now: SystemCalls.monotonicNanoseconds())
            }
            let now = SystemCalls.monotonicNanoseconds()
            if let deadline, now >= deadline, !timedOut {
                timedOut = true
                terminate(now: now)
            }
            if let killAt, now >= killAt, !killed { killNow() }
            if SystemCalls.hasExited(pid) { return true }
            var wake = [deadline, killed ? nil : killAt].compactMap { $0 }.min().map { max(0, $0 - now) }
            if pidFD < 0 { wake = min(wake ?? 5_000_000, 5_000_000) }  // no pidfd: look every 5 ms
            let timeout = wake.map { Int32(min(($0 + 999_999) / 1_000_000, 60_000)) } ?? -1
            var fds = [pollfd(fd: input.fd, events: Int16(POLLIN), revents: 0)]
            if pidFD >= 0 { fds.append(pollfd(fd: pidFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { return true }
            if ready > 0, fds[0].revents != 0 {
                guard input.fill() else { return false }
            }
        }
    }

    private mutating func apply(_ kind: ForkServerFrame.Kind, now: Int64) {
        switch kind {
        case .cancelGraceful where !cancelled:
            cancelled = true
            terminate(now: now)
        case .cancelImmediate:
            cancelled = true
            killNow()
        default:
            break
        }
    }

    private mutating func terminate(now: Int64) {
        _ = signalGroup(SIGTERM)
        let graceEnds = now + SystemCalls.nanoseconds(call.killGrace)
        killAt = min(killAt ?? graceEnds, graceEnds)
    }

    private mutating func killNow() {
        _ = signalGroup(SIGKILL)
        killed = true
    }

    private func signalGroup(_ signal: Int32) -> Int32 { kill(-pid, signal) }
}
