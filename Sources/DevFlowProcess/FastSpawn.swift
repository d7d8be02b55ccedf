import CDevFlowSpawn

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Starts a step through `devflow_spawn` (vfork semantics, only the system calls a step needs) instead of
/// `posix_spawn`, whose child visits all 64 signals and which maps a stack per call.
enum FastSpawn {
    /// `/dev/null`, opened once (close-on-exec) and handed to every child as its stdin; -1 when it cannot be opened.
    static let devNull: Int32 = open("/dev/null", O_RDONLY | O_CLOEXEC)

    /// Whether this process has a controlling terminal. Only then does a step get a session of its own (so that it
    /// cannot read the terminal and stop); otherwise a process group is enough for signalling it with its children,
    /// and cheaper: a new session also makes a new scheduler autogroup.
    static let hasControllingTerminal: Bool = {
        let fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)
        if fd < 0 { return false }
        close(fd)
        return true
    }()

    /// Why a start failed: the step that failed and its errno.
    struct Failure: Error {
        var operation: String
        var code: Int32
    }

    /// Starts `executable` with `argv` and `environment`; stdout and stderr go to the two descriptors.
    static func spawn(
        executable: String, argv: [String], environment: [String: String], workingDirectory: String?, stdout: Int32,
        stderr: Int32, memoryLimit: Int? = nil
    ) -> Result<pid_t, Failure> {
        let reset = SignalDispositions.changed()
        var error: Int32 = 0
        var stage: Int32 = 0
        let pid: pid_t = ProcessLauncher.withCStringArray(argv) { argvPointer in
            ProcessLauncher.withEnvironmentBlock(environment) { environmentPointer in
                reset.withUnsafeBufferPointer { signals in
                    executable.withCString { path in
                        let run = { (directory: UnsafePointer<CChar>?) -> pid_t in
                            var request = devflow_spawn_request(
                                path: path, argv: argvPointer, envp: environmentPointer, stdin_fd: devNull,
                                stdout_fd: stdout, stderr_fd: stderr, working_directory: directory,
                                new_session: hasControllingTerminal ? 1 : 0, reset_signals: signals.baseAddress,
                                reset_count: Int32(signals.count), memory_limit: Int64(max(0, memoryLimit ?? 0)))
                            return devflow_spawn(&request, &error, &stage)
                        }
                        if let workingDirectory { return workingDirectory.withCString { run($0) } }
                        return run(nil)
                    }
                }
            }
        }
        if pid >= 0 { return .success(pid) }
        let operation =
            switch Int(stage) {
            case Int(DEVFLOW_SPAWN_STAGE_CHDIR): "chdir"
            case Int(DEVFLOW_SPAWN_STAGE_SESSION): "setsid"
            case Int(DEVFLOW_SPAWN_STAGE_DESCRIPTORS): "dup2"
            case Int(DEVFLOW_SPAWN_STAGE_FORK): "vfork"
            case Int(DEVFLOW_SPAWN_STAGE_LIMIT): "setrlimit"
            default: "posix_spawn"  // an exec failure reads like posix_spawn's in messages
            }
        return .failure(Failure(operation: operation, code: error))
    }
}

/// The signals whose disposition is not the default here (handlers and SIG_IGN), which a child resets before it
/// executes; looked up at most once a second (64 `sigaction` calls).
enum SignalDispositions {
    private static let lock = PosixMutex()
    nonisolated(unsafe) private static var cached: [Int32] = []
    nonisolated(unsafe) private static var computedAt: Int64 = -1

    /// The signals to reset, always including those a runner or shell commonly ignores.
    static func changed() -> [Int32] {
        lock.withLock { changedLocked() }
    }

    private static func changedLocked() -> [Int32] {
        let now = SystemCalls.monotonicNanoseconds()
        if computedAt >= 0, now - computedAt < 1_000_000_000 { return cached }
        var signals: Set<Int32> = [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU]
        for signal in 1..<Int32(65) where signal != SIGKILL && signal != SIGSTOP {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0 else { continue }
            // SIG_DFL is the handler value 0.
            if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) != 0 { signals.insert(signal) }
        }
        cached = signals.sorted()
        computedAt = now
        return cached
    }
}
