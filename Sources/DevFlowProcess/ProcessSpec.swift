#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What to run: executable, arguments, environment, working directory and limits.
///
/// The environment is the child's *complete* environment: nothing is merged in from the parent.
/// The initializer defaults it to the parent's environment at the time of the call.
public struct ProcessSpec: Sendable {
    /// The executable's path. It should be absolute (e.g. `/bin/bash`): no `PATH` search is done, and a relative
    /// path is resolved by the kernel against the child's working directory.
    public var executable: String
    /// The arguments after `argv[0]` (`argv[0]` is `executable`).
    public var arguments: [String]
    /// The child's complete environment.
    public var environment: [String: String]
    /// The child's working directory; `nil` inherits the parent's.
    public var workingDirectory: String?
    /// The wall-clock limit of one run, measured on a monotonic clock from just before the spawn; `nil` is none.
    /// At the deadline the whole process group gets `SIGTERM`, then `SIGKILL` after ``killGrace``.
    public var timeout: Duration?
    /// How long a `SIGTERM` (timeout or graceful cancel) is given before the group gets `SIGKILL`. Default 5 s.
    public var killGrace: Duration
    /// The longest chunk of one line handed to `onLine`, in bytes (default 64 KiB, at least 1). A longer line is
    /// delivered as several chunks of at most this size; it is never an error. This bounds the memory used per
    /// stream whatever the child prints.
    public var maximumLineBytes: Int
    /// After the main process has exited, how long its pipes may stay open (held by background processes of its
    /// group) before the group is killed with `SIGKILL` and reading stops. Default 2 s.
    public var drainGrace: Duration
    /// The child's memory limit in bytes (`RLIMIT_DATA`, soft and hard: its heap and private writable mappings),
    /// set in the child before it executes; `nil` (the default) inherits the parent's. An allocation beyond it fails
    /// in the child (most runtimes then abort with a signal); the parent is not affected.
    public var memoryLimit: Int?

    /// A spec; see the properties for the meaning of each parameter.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = ProcessSpec.currentEnvironment(),
        workingDirectory: String? = nil,
        timeout: Duration? = nil,
        killGrace: Duration = .seconds(5),
        maximumLineBytes: Int = 64 * 1024,
        drainGrace: Duration = .seconds(2),
        memoryLimit: Int? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.killGrace = killGrace
        self.maximumLineBytes = maximumLineBytes
        self.drainGrace = drainGrace
        self.memoryLimit = memoryLimit
    }

    /// The calling process's environment, read from `environ` (variables without `=` are skipped; the first
    /// occurrence of a duplicated name wins, as `getenv` does).
    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var entry = start else { return result }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return result
    }
}

/// One of the child's two output streams.
public enum OutputStream: String, Sendable {
    /// File descriptor 1.
    case stdout
    /// File descriptor 2.
    case stderr
}

/// One line of output, or one chunk of a line longer than ``ProcessSpec/maximumLineBytes``.
public struct OutputLine: Sendable {
    /// The stream the bytes came from.
    public var stream: OutputStream
    /// The bytes exactly as the child wrote them, without the trailing `\n` (a `\r` before it is kept).
    /// May be invalid UTF-8. The slice usually shares the launcher's read buffer: copy it (e.g. `Array(bytes)`)
    /// if it must outlive the callback cheaply — keeping the slice itself is safe but forces a copy-on-write.
    public var bytes: ArraySlice<UInt8>
    /// `false` when this chunk is a piece of a line longer than ``ProcessSpec/maximumLineBytes`` and the line
    /// continues in the next chunk of the same stream; `true` for a whole line or the last chunk of a long one.
    /// A last line without a newline, delivered at end of file, is complete.
    public var isComplete: Bool

    /// The bytes decoded as UTF-8, invalid sequences replaced by U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// A line; used by the launcher and handy in tests.
    public init(stream: OutputStream, bytes: ArraySlice<UInt8>, isComplete: Bool) {
        self.stream = stream
        self.bytes = bytes
        self.isComplete = isComplete
    }
}

/// How a run ended.
public struct ProcessOutcome: Sendable, Equatable {
    /// The exit status (0...255) when the process exited normally; `nil` when a signal killed it.
    public var exitCode: Int32?
    /// The signal that terminated the process, if any (`SIGTERM` after a timeout, `SIGKILL` after the grace...).
    public var signal: Int32?
    /// The run's ``ProcessSpec/timeout`` expired while the process was running and the launcher signalled it.
    public var timedOut: Bool
    /// ``RunningProcess/cancel(graceful:)`` was called while the process was running. Both this and
    /// ``timedOut`` may be true when a cancel follows a timeout.
    public var cancelled: Bool
    /// From just before the spawn until the process was reaped.
    public var duration: Duration

    /// An outcome; used by the launcher and handy in tests.
    public init(exitCode: Int32?, signal: Int32?, timedOut: Bool, cancelled: Bool, duration: Duration) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.duration = duration
    }

    /// The process exited with status 0 (no signal, no timeout, no cancel).
    public var succeeded: Bool { exitCode == 0 && !timedOut && !cancelled }
}

/// The process could not be started (nothing ran).
public struct ProcessLaunchError: Error, Sendable, CustomStringConvertible {
    /// The executable that was to run.
    public var executable: String
    /// The working directory that was asked for, if any.
    public var workingDirectory: String?
    /// The failing call, e.g. `posix_spawn`, `pipe2`, `chdir`.
    public var operation: String
    /// The `errno` value.
    public var code: Int32
    /// A one-line message naming the executable (or directory) and the system's description of `code`.
    public var description: String

    /// An error; `description` is derived from the other fields.
    public init(executable: String, workingDirectory: String? = nil, operation: String, code: Int32) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.operation = operation
        self.code = code
        let reason = String(cString: strerror(code))
        switch operation {
        case "chdir":
            self.description =
                "cannot run \(executable): working directory \(workingDirectory ?? "?"): \(reason) (errno \(code))"
        case "posix_spawn":
            self.description = "cannot run \(executable): \(reason) (errno \(code))"
        default:
            self.description = "cannot run \(executable): \(operation) failed: \(reason) (errno \(code))"
        }
    }
}
