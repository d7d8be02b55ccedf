#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs one process to completion with `posix_spawn`, streaming its output line by line.
///
/// ## What the child gets
/// - Its own process group (and, when the runner has a controlling terminal, its own session, so that it cannot
///   read the terminal; `setsid` otherwise only costs a scheduler autogroup per step): its pid is the group id, and timeouts and
///   cancels signal the whole group (`kill(-pid, …)`), so shells, pipelines and their children go together.
/// - stdin from `/dev/null`; stdout and stderr to two pipes; every other descriptor closed (close-on-exec pipes,
///   plus `posix_spawn_file_actions_addclosefrom_np(3)` where glibc ≥ 2.34 has it).
/// - With ``ProcessSpec/memoryLimit``, that `RLIMIT_DATA` (set in the child before it executes; on the `posix_spawn`
///   fallback through a `/bin/sh -c 'ulimit -d …; exec "$@"'` trampoline).
/// - Default signal dispositions and an empty signal mask, whatever the calling thread had (an ignored `SIGPIPE`
///   or `SIGINT` in the parent would otherwise be inherited through `exec`).
/// - The working directory through `posix_spawn_file_actions_addchdir_np` (glibc ≥ 2.29). On an older libc the
///   launcher checks the directory, then runs `/bin/sh -c 'CDPATH= cd -- "$1" || exit 127; shift; exec "$@"'`
///   with the directory and the command as arguments (one extra `exec`, same argv for the command).
///
/// ## Reading
/// Both pipes are read in the calling thread with `poll(2)` — no thread per pipe — through one 64 KiB read buffer
/// plus at most `maximumLineBytes` of pending line per stream, so memory stays bounded whatever the child prints.
/// `onLine` is called on the calling thread, in order within each stream; the interleaving of the two streams
/// follows the order in which reads complete and is not the order in which the child wrote.
///
/// ## The end of a run, and background processes
/// `run` returns once the main process has exited and both pipes have reached end of file. If processes left in
/// the group keep the pipes open after the main process has exited, reading goes on for `drainGrace` (default 2 s);
/// then the group gets `SIGKILL` and reading stops. In every case, **when the run ends the launcher sends `SIGKILL`
/// to the process group**: background children of a step do not outlive it (processes that left the group with
/// `setsid`/`setpgid` are out of reach, as intended for daemons). The main process is reaped with `waitpid` on its
/// own pid — never `wait(-1)` — and only after that last signal, so the group id cannot have been reused.
///
/// Leader exit is observed with a `pidfd` (Linux ≥ 5.3, glibc ≥ 2.36) in the same `poll`; without one, with
/// `waitid(WNOWAIT)` on a short tick. A timeout or cancel wakes the loop at once (through an `eventfd`).
///
/// `run` is safe to call from many threads at once; each call uses only its own descriptors.
public enum ProcessLauncher {
    /// Runs `spec` to completion.
    ///
    /// - Parameters:
    ///   - spec: What to run.
    ///   - onStart: Called once, on the calling thread, right after the spawn and before any output is read,
    ///     with a handle that can cancel the run from any thread.
    ///   - onLine: Called on the calling thread for every line (or chunk of a long line) of stdout and stderr;
    ///     see ``OutputLine``. Bytes are passed as received: invalid UTF-8 is never an error.
    /// - Returns: How the process ended.
    /// - Throws: ``ProcessLaunchError`` when nothing could be started (executable missing or not executable,
    ///   working directory missing, descriptors exhausted...). A process that starts and then fails is an outcome.
    public static func run(
        _ spec: ProcessSpec,
        onStart: (RunningProcess) -> Void = { _ in },
        onLine: (OutputLine) -> Void
    ) throws(ProcessLaunchError) -> ProcessOutcome {
        try run(spec, options: Options(), onStart: onStart, onLine: onLine)
    }

    /// Switches for exercising the fallbacks in tests.
    struct Options {
        /// Watch the leader with a pidfd when the system has one.
        var usePidFD = true
        /// Use `posix_spawn_file_actions_addchdir_np` when the libc has it (else the `/bin/sh` trampoline).
        var useAddChdir = true
        /// Start through `devflow_spawn` (see ``FastSpawn``); false uses `posix_spawn`.
        var useFastSpawn = true
    }

    static func run(
        _ spec: ProcessSpec,
        options: Options,
        onStart: (RunningProcess) -> Void,
        onLine: (OutputLine) -> Void
    ) throws(ProcessLaunchError) -> ProcessOutcome {
        let started = SystemCalls.monotonicNanoseconds()
        func failure(_ operation: String, _ code: Int32) -> ProcessLaunchError {
            ProcessLaunchError(
                executable: spec.executable, workingDirectory: spec.workingDirectory, operation: operation, code: code)
        }

        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        let wakeUp: (read: Int32, write: Int32)
        do {
            stdoutPipe = try SystemCalls.makePipe()
        } catch {
            throw failure("pipe2", error.code)
        }
        do {
            stderrPipe = try SystemCalls.makePipe()
        } catch {
            closeAll(stdoutPipe.read, stdoutPipe.write)
            throw failure("pipe2", error.code)
        }
        do {
            wakeUp = try SystemCalls.makeWakeUp()
        } catch {
            closeAll(stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write)
            throw failure("eventfd", error.code)
        }

        let pid: pid_t
        do {
            pid = try spawn(spec, options: options, stdout: stdoutPipe, stderr: stderrPipe)
        } catch {
            closeAll(stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write, wakeUp.read)
            if wakeUp.write != wakeUp.read { SystemCalls.closeIgnoringErrors(wakeUp.write) }
            throw error
        }
        closeAll(stdoutPipe.write, stderrPipe.write)

        var pidFD: Int32 = -1
        if options.usePidFD, let pidFDOpen = SystemCalls.pidFDOpen {
            pidFD = pidFDOpen(pid, 0)  // Our unreaped child: the pid cannot have been reused. -1 → tick instead.
        }
        let process = RunningProcess(pid: pid, wakeFD: wakeUp.write)
        onStart(process)

        var loop = EventLoop(
            spec: spec, started: started, pid: pid, pidFD: pidFD, wakeFD: wakeUp.read, stdoutFD: stdoutPipe.read,
            stderrFD: stderrPipe.read, process: process)
        loop.run(onLine: onLine)

        // Whatever is left of the group goes now; the leader is a zombie still holding the group id.
        _ = kill(-pid, SIGKILL)
        let status = SystemCalls.reap(pid)
        let ended = SystemCalls.monotonicNanoseconds()
        process.finish()
        closeAll(wakeUp.read, pidFD)
        if wakeUp.write != wakeUp.read { SystemCalls.closeIgnoringErrors(wakeUp.write) }
        return ProcessOutcome(
            exitCode: status.exitCode, signal: status.signal, timedOut: loop.timedOut, cancelled: loop.cancelled,
            duration: .nanoseconds(ended - started))
    }

    private static func closeAll(_ fds: Int32...) {
        for fd in fds { SystemCalls.closeIgnoringErrors(fd) }
    }

    // MARK: Spawning

    /// `posix_spawn` with the attributes and file actions described on ``ProcessLauncher``.
    private static func spawn(
        _ spec: ProcessSpec, options: Options, stdout: (read: Int32, write: Int32), stderr: (read: Int32, write: Int32)
    ) throws(ProcessLaunchError) -> pid_t {
        func failure(_ operation: String, _ code: Int32) -> ProcessLaunchError {
            ProcessLaunchError(
                executable: spec.executable, workingDirectory: spec.workingDirectory, operation: operation, code: code)
        }

        if options.useFastSpawn, FastSpawn.devNull >= 0 {
            let started = FastSpawn.spawn(
                executable: spec.executable, argv: [spec.executable] + spec.arguments, environment: spec.environment,
                workingDirectory: spec.workingDirectory, stdout: stdout.write, stderr: stderr.write,
                memoryLimit: spec.memoryLimit)
            switch started {
            case .success(let pid): return pid
            case .failure(let why): throw failure(why.operation, why.code)
            }
        }
        var executable = spec.executable
        var argv = [spec.executable] + spec.arguments
        let addChdir = options.useAddChdir ? SystemCalls.addChdir : nil
        if let directory = spec.workingDirectory, addChdir == nil {
            if let code = directoryProblem(directory) { throw failure("chdir", code) }
            executable = "/bin/sh"
            argv = ["/bin/sh", "-c", "CDPATH= cd -- \"$1\" || exit 127; shift; exec \"$@\"", "sh", directory] + argv
        }
        if let limit = spec.memoryLimit, limit > 0 {
            // posix_spawn has no resource-limit attribute: the same kind of trampoline sets it (in KiB) and executes.
            argv =
                ["/bin/sh", "-c", "ulimit -d \"$1\" || exit 127; shift; exec \"$@\"", "sh", String(limit / 1024)] + argv
            executable = "/bin/sh"
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        setDefaultSignals(&attributes, flags: SystemCalls.spawnSetSID)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var status = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if status == 0 { status = posix_spawn_file_actions_adddup2(&actions, stdout.write, 1) }
        if status == 0 { status = posix_spawn_file_actions_adddup2(&actions, stderr.write, 2) }
        // All four are close-on-exec and > 2 already; closing them explicitly keeps the child clean even if that
        // ever changes. Then everything else ≥ 3 the parent may have opened without O_CLOEXEC.
        for fd in [stdout.read, stderr.read, stdout.write, stderr.write] where status == 0 {
            status = posix_spawn_file_actions_addclose(&actions, fd)
        }
        if status == 0, let addCloseFrom = SystemCalls.addCloseFrom { status = addCloseFrom(&actions, 3) }
        if status == 0, let directory = spec.workingDirectory, let addChdir {
            status = addChdir(&actions, directory)
        }
        guard status == 0 else { throw failure("posix_spawn_file_actions", status) }

        var pid: pid_t = 0
        status = withCStringArray(argv) { argvPointer in
            withEnvironmentBlock(spec.environment) { environmentPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, environmentPointer)
            }
        }
        guard status == 0 else {
            // glibc reports a failed chdir file action and a failed exec with the same errno; tell them apart.
            if let directory = spec.workingDirectory, let code = directoryProblem(directory) {
                throw failure("chdir", code)
            }
            throw failure("posix_spawn", status)
        }
        return pid
    }

    /// Sets `attributes` so the child starts with an empty signal mask and every signal at its default action,
    /// plus `flags` (e.g. `POSIX_SPAWN_SETSID`).
    static func setDefaultSignals(_ attributes: inout posix_spawnattr_t, flags: Int32) {
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        // Every signal back to its default action. glibc's child visits every signal anyway (it starts with all of
        // them blocked): one in the default set costs one `sigaction` call, any other a query and then usually a
        // reset, so naming them all halves the calls (about 64 instead of 114) and drops inherited SIG_IGN too.
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        let all = flags | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: all))
    }

    /// Why `directory` cannot be a working directory (`errno`), or nil if it can.
    private static func directoryProblem(_ directory: String) -> Int32? {
        var info = stat()
        if stat(directory, &info) != 0 { return errno }
        if info.st_mode & S_IFMT != S_IFDIR { return ENOTDIR }
        if access(directory, X_OK) != 0 { return errno }
        return nil
    }

    /// A NULL-terminated `char *[]` of `strings`, valid during `body`: one buffer for all the bytes, not one
    /// allocation per string.
    static func withCStringArray<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        withCStringBlock(count: strings.count, bytes: strings.reduce(0) { $0 + $1.utf8.count + 1 }, body) { append in
            for string in strings { append(string.utf8, nil) }
        }
    }

    /// The environment as a NULL-terminated `char *[]` of `NAME=value`, built without an intermediate string.
    static func withEnvironmentBlock<R>(
        _ environment: [String: String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let bytes = environment.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 2 }
        return withCStringBlock(count: environment.count, bytes: bytes, body) { append in
            for (name, value) in environment { append(name.utf8, value.utf8) }
        }
    }

    /// Lays out `count` C strings (each `first` or `first=second`, NUL-terminated) in one buffer of `bytes`.
    private static func withCStringBlock<R>(
        count: Int, bytes: Int, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R,
        fill: ((String.UTF8View, String.UTF8View?) -> Void) -> Void
    ) -> R {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes))
        defer { buffer.deallocate() }
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        pointers.reserveCapacity(count + 1)
        var offset = 0
        // Native strings are copied with one memcpy each (the environment is about 60 of them per step).
        func copy(_ text: String.UTF8View) {
            let copied = text.withContiguousStorageIfAvailable { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(buffer + offset).copyMemory(from: base, byteCount: bytes.count)
                }
                return bytes.count
            }
            if let copied {
                offset += copied
                return
            }
            for byte in text {
                buffer[offset] = CChar(bitPattern: byte)
                offset += 1
            }
        }
        fill { first, second in
            pointers.append(buffer + offset)
            copy(first)
            if let second {
                buffer[offset] = 61  // "="
                offset += 1
                copy(second)
            }
            buffer[offset] = 0
            offset += 1
        }
        pointers.append(nil)
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The `poll` loop of one run: output, leader exit, timeout, cancel, grace periods.
private struct EventLoop {
    let pid: pid_t
    let process: RunningProcess
    let wakeFD: Int32
    let pidFD: Int32
    var outputs: [(fd: Int32, splitter: LineSplitter)]

    let deadline: Int64?
    let killGrace: Int64
    let drainGrace: Int64

    private(set) var timedOut = false
    private(set) var cancelled = false
    private var termSentAt: Int64?
    private var killSent = false
    private var leaderExitedAt: Int64?
    /// Set when the drain grace expired: stop reading at this time even without end of file.
    private var stopReadingAt: Int64?
    /// Without a pidfd: when to look at the leader again.
    private var nextExitCheck: Int64 = 0
    private var exitCheckInterval: Int64 = 1_000_000

    /// How long to keep reading after the drain grace's `SIGKILL` (for processes outside the group that hold a pipe).
    private static let afterDrainKill: Int64 = 250_000_000
    private static let maximumExitCheckInterval: Int64 = 50_000_000
    private static let readBufferSize = 64 * 1024

    init(
        spec: ProcessSpec, started: Int64, pid: pid_t, pidFD: Int32, wakeFD: Int32, stdoutFD: Int32, stderrFD: Int32,
        process: RunningProcess
    ) {
        self.pid = pid
        self.pidFD = pidFD
        self.wakeFD = wakeFD
        self.process = process
        outputs = [
            (stdoutFD, LineSplitter(stream: .stdout, limit: spec.maximumLineBytes)),
            (stderrFD, LineSplitter(stream: .stderr, limit: spec.maximumLineBytes)),
        ]
        deadline = spec.timeout.map { started &+ min(SystemCalls.nanoseconds($0), Int64.max / 2) }
        killGrace = SystemCalls.nanoseconds(spec.killGrace)
        drainGrace = SystemCalls.nanoseconds(spec.drainGrace)
    }

    mutating func run(onLine: (OutputLine) -> Void) {
        var buffer = [UInt8](unsafeUninitializedCapacity: Self.readBufferSize) { _, count in
            count = Self.readBufferSize  // Only ever read back where `read` has written.
        }
        var pollFDs: [pollfd] = []
        pollFDs.reserveCapacity(4)

        while true {
            var now = SystemCalls.monotonicNanoseconds()
            if leaderExitedAt == nil, pidFD < 0, now >= nextExitCheck {
                if SystemCalls.hasExited(pid) {
                    leaderExitedAt = now
                } else {
                    // Fast at first (the leader usually exits right as its pipes close), then a slow tick.
                    exitCheckInterval = min(exitCheckInterval * 2, Self.maximumExitCheckInterval)
                    nextExitCheck = now + exitCheckInterval
                }
            }
            applyDeadlines(now: now)
            if leaderExitedAt != nil && outputs.isEmpty { break }
            if let stopReadingAt, now >= stopReadingAt { break }

            pollFDs.removeAll(keepingCapacity: true)
            for output in outputs { pollFDs.append(pollfd(fd: output.fd, events: Int16(POLLIN), revents: 0)) }
            pollFDs.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0))
            let watchesPidFD = leaderExitedAt == nil && pidFD >= 0
            if watchesPidFD { pollFDs.append(pollfd(fd: pidFD, events: Int16(POLLIN), revents: 0)) }

            let ready = pollFDs.withUnsafeMutableBufferPointer {
                poll($0.baseAddress, nfds_t($0.count), pollTimeout(now: now))
            }
            if ready < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // EINVAL/ENOMEM/EFAULT cannot be fixed by retrying: stop as after the drain grace.
                // The caller's reap then waits for the KILLed leader.
                _ = kill(-pid, SIGKILL)
                break
            }
            if ready == 0 { continue }
            now = SystemCalls.monotonicNanoseconds()

            var index = outputs.count
            if pollFDs[index].revents != 0 {
                SystemCalls.drainWakeUp(wakeFD)
                applyCancel(now: now)
            }
            index += 1
            if watchesPidFD && pollFDs[index].revents != 0 { leaderExitedAt = now }

            // Read each ready stream once per poll; walk backwards so a finished stream can be removed.
            for position in stride(from: outputs.count - 1, through: 0, by: -1)
            where pollFDs[position].revents != 0 {
                let fd = outputs[position].fd
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    outputs[position].splitter.feed(buffer, count: count, emit: onLine)
                } else if count < 0 && (errno == EINTR || errno == EAGAIN) {
                    continue
                } else {  // End of file (or a read error, which ends the stream just the same).
                    outputs[position].splitter.finish(emit: onLine)
                    SystemCalls.closeIgnoringErrors(fd)
                    outputs.remove(at: position)
                    if outputs.isEmpty && pidFD < 0 {
                        // The leader is most likely exiting right now: look again soon, then back off.
                        exitCheckInterval = 500_000
                        nextExitCheck = now
                    }
                }
            }
        }

        // Stopped without end of file (drain grace): hand over what was pending, then let go of the pipes.
        for index in outputs.indices {
            outputs[index].splitter.finish(emit: onLine)
            SystemCalls.closeIgnoringErrors(outputs[index].fd)
        }
        outputs.removeAll()
    }

    /// Timeout → TERM; TERM + killGrace → KILL; leader gone + pipes still open for drainGrace → KILL and stop.
    private mutating func applyDeadlines(now: Int64) {
        if let deadline, now >= deadline, leaderExitedAt == nil, termSentAt == nil, !killSent {
            timedOut = true
            signalGroup(SIGTERM, now: now)
        }
        if let termSentAt, !killSent, now >= termSentAt &+ killGrace {
            signalGroup(SIGKILL, now: now)
        }
        if let leaderExitedAt, !outputs.isEmpty, stopReadingAt == nil, now >= leaderExitedAt &+ drainGrace {
            signalGroup(SIGKILL, now: now)
            stopReadingAt = now + Self.afterDrainKill
        }
    }

    private mutating func applyCancel(now: Int64) {
        switch process.pendingRequest {
        case .none:
            return
        case .graceful:
            if leaderExitedAt == nil { cancelled = true }
            if termSentAt == nil && !killSent { signalGroup(SIGTERM, now: now) }
        case .immediate:
            if leaderExitedAt == nil { cancelled = true }
            if !killSent { signalGroup(SIGKILL, now: now) }
        }
        // After the leader's exit a cancel still ends the run: stop waiting for the background processes' EOF.
        if leaderExitedAt != nil, !outputs.isEmpty, stopReadingAt == nil {
            signalGroup(SIGKILL, now: now)
            stopReadingAt = now + Self.afterDrainKill
        }
    }

    private mutating func signalGroup(_ signal: Int32, now: Int64) {
        // ESRCH (group already empty) is fine. The leader is unreaped, so the group id is still ours.
        _ = kill(-pid, signal)
        if signal == SIGKILL { killSent = true } else if termSentAt == nil { termSentAt = now }
    }

    /// Milliseconds until the next thing that must happen without an event, or -1 (wait for an event).
    private func pollTimeout(now: Int64) -> Int32 {
        var next = Int64.max
        if let deadline, leaderExitedAt == nil, termSentAt == nil, !killSent { next = min(next, deadline) }
        if let termSentAt, !killSent { next = min(next, termSentAt &+ killGrace) }
        if let leaderExitedAt, !outputs.isEmpty, stopReadingAt == nil { next = min(next, leaderExitedAt &+ drainGrace) }
        if let stopReadingAt { next = min(next, stopReadingAt) }
        if leaderExitedAt == nil, pidFD < 0 {
            // Without a pidfd, poll the leader only once nothing else will wake us when it exits: while the pipes are
            // open their end of file usually does; the tick catches background processes holding them.
            next = min(next, outputs.isEmpty ? nextExitCheck : max(nextExitCheck, now + Self.maximumExitCheckInterval))
        }
        if next == .max { return -1 }
        let milliseconds = (next - now + 999_999) / 1_000_000  // Round up: never spin just short of a deadline.
        return Int32(clamping: max(0, milliseconds))
    }
}
