import DevFlowGraph
import Foundation

/// How built-in agents are run: in a child process (the default) or in the runner's own process.
public enum BuiltInAgentIsolation: Sendable, Hashable {
    /// Each call runs in a child process of its own: a crash, a hang or runaway memory is a step error, under the
    /// step's timeout and the memory limit. The process is forked from a fork server, `devflow agent-child --serve`
    /// (started once and kept loaded, one per concurrent call), so a call costs no program start; when no server
    /// can take the call, `devflow agent-child CONTEXT_FILE` is executed as in ``executedChild``.
    case childProcess
    /// Each call executes `devflow agent-child CONTEXT_FILE` (the same isolation as ``childProcess``, plus the
    /// program's start per call: for benchmarks and as the fallback).
    case executedChild
    /// Each call runs on a thread of the runner (no isolation: a crash takes the runner down). For benchmarks and
    /// for `devflow agent-child` itself.
    case inProcess
}

/// Where the child process of a built-in agent comes from and what it may use.
public struct AgentChildSettings: Sendable, Equatable {
    /// The environment variable naming the `devflow` executable that runs built-in agents (tests, servers).
    public static let executableVariable = "DEVFLOW_AGENT_EXECUTABLE"
    /// The environment variable that sets the memory limit: bytes, or a number with `K`, `M` or `G` (powers of
    /// 1024, `KiB`… also accepted); `0` or `none` for no limit.
    public static let memoryLimitVariable = "DEVFLOW_AGENT_MEMORY_LIMIT"
    /// The environment variable that, set to `0`, executes `devflow agent-child` for every call instead of forking
    /// it from a fork server (``BuiltInAgentIsolation/executedChild``), should forking misbehave somewhere.
    public static let forkServerVariable = "DEVFLOW_AGENT_FORK_SERVER"
    /// The memory limit when none is configured: 2 GiB of heap and private writable mappings (`RLIMIT_DATA`).
    public static let defaultMemoryLimit = 2 << 30

    /// The `devflow` executable; `nil` looks at `DEVFLOW_AGENT_EXECUTABLE`, then at the running executable.
    public var executable: String?
    /// The child's memory limit in bytes; `nil` reads `DEVFLOW_AGENT_MEMORY_LIMIT` or uses the default; 0 is none.
    public var memoryLimit: Int?

    /// Creates settings.
    public init(executable: String? = nil, memoryLimit: Int? = nil) {
        self.executable = executable
        self.memoryLimit = memoryLimit
    }

    /// The executable to start: the configured one, `DEVFLOW_AGENT_EXECUTABLE` from the step's environment, or the
    /// running executable when it is `devflow`; otherwise a message saying what to do.
    func resolveExecutable(environment: [String: String]) -> Result<String, AgentChildError> {
        if let executable, !executable.isEmpty { return checked(executable, from: "the runner's configuration") }
        if let named = environment[Self.executableVariable], !named.isEmpty {
            return checked(named, from: Self.executableVariable)
        }
        if let running = Self.runningExecutable, PathName.lastComponent(of: running) == "devflow" {
            return .success(running)
        }
        return .failure(
            AgentChildError(
                "built-in agents run in a child process of the devflow executable, and this process (\(Self.runningExecutable ?? "unknown")) is not devflow; set \(Self.executableVariable) to the path of devflow"
            ))
    }

    private func checked(_ path: String, from source: String) -> Result<String, AgentChildError> {
        guard access(path, X_OK) == 0 else {
            return .failure(
                AgentChildError("\(source) names '\(path)' to run built-in agents, which is not executable"))
        }
        return .success(path)
    }

    /// The limit in bytes (nil: none): the configured one, else `DEVFLOW_AGENT_MEMORY_LIMIT`, else the default.
    func resolveMemoryLimit(environment: [String: String]) -> Result<Int?, AgentChildError> {
        if let memoryLimit { return .success(memoryLimit > 0 ? memoryLimit : nil) }
        guard let text = environment[Self.memoryLimitVariable], !text.isEmpty else {
            return .success(Self.defaultMemoryLimit)
        }
        guard let bytes = Self.parseBytes(text) else {
            return .failure(
                AgentChildError(
                    "\(Self.memoryLimitVariable)='\(text)' is not a size; write bytes or a number with K, M or G (e.g. 512M, 2G), or 0 for no limit"
                ))
        }
        return .success(bytes > 0 ? bytes : nil)
    }

    /// `2G`, `512M`, `512MiB`, `1048576`, `none` → bytes (0 for none); nil when it is not a size.
    static func parseBytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        if trimmed == "NONE" { return 0 }
        var digits = Substring(trimmed)
        var unit = 1
        for (suffix, size) in [
            ("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30),
        ]
        where digits.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            unit = size
            break
        }
        guard let value = Int(digits.trimmingCharacters(in: .whitespaces)), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// The running executable (`/proc/self/exe`), read once.
    static let runningExecutable: String? = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

/// The child process of a built-in agent could not be started or configured.
struct AgentChildError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The last lines a child wrote to stderr, for the error message when it dies (thread-safe: lines arrive on the
/// launcher's thread).
final class StderrTail: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private let limit: Int

    init(lines limit: Int = 8) { self.limit = limit }

    func append(_ line: String) {
        if Self.isStackFrame(line) { return }
        lock.lock()
        lines.append(line.count > 300 ? String(line.prefix(300)) + "…" : line)
        if lines.count > limit { lines.removeFirst(lines.count - limit) }
        lock.unlock()
    }

    /// A line of the stack trace the Swift runtime prints when it traps (`Current stack trace:`, `3  devflow  0x…`):
    /// the message before it says more.
    static func isStackFrame(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " }
        if trimmed.hasPrefix("Current stack trace:") { return true }
        guard let first = trimmed.first, first.isNumber else { return false }
        return trimmed.contains(" 0x")
    }

    /// `; its stderr ended with: a | b`, or `; it wrote nothing to stderr`.
    var sentence: String {
        lock.lock()
        defer { lock.unlock() }
        let shown = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return shown.isEmpty
            ? "; it wrote nothing to stderr" : "; its stderr ended with: " + shown.joined(separator: " | ")
    }
}

/// Signal names for messages: `SIGKILL`, or `signal 42` for one without a name here.
enum SignalName {
    static let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
        SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
        SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
    ]

    static func of(_ signal: Int32) -> String { names[signal].map { "\($0) (signal \(signal))" } ?? "signal \(signal)" }
}
