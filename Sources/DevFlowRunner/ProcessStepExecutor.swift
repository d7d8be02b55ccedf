import DevFlowGraph
import Foundation

/// Runs hook steps as shell scripts and hands agent steps to an `AgentHost`.
public struct ProcessStepExecutor: StepExecutor {
    /// Seconds between TERM and KILL.
    public var killGrace: Double
    /// Runs agent steps.
    public var agents: any AgentHost
    /// The bound on step processes shared by every run of this process (a server's); nil: none beyond `-j`.
    public var processes: ProcessPermits?

    /// Creates the executor; agents default to the built-in agents and `command:` agents.
    public init(killGrace: Double = 5, agents: (any AgentHost)? = nil, processes: ProcessPermits? = nil) {
        self.killGrace = killGrace
        self.agents = agents ?? BuiltInAgentHost(killGrace: killGrace)
        self.processes = processes
    }

    /// Runs one attempt.
    public func execute(_ invocation: StepInvocation) async -> AttemptOutcome {
        guard let processes, invocation.node.action.startsProcess else { return await start(invocation) }
        let outcome = await processes.withPermit(cancellation: invocation.cancellation) { await start(invocation) }
        return outcome ?? AttemptOutcome(kind: .cancelled, message: "cancelled before its process started")
    }

    private func start(_ invocation: StepInvocation) async -> AttemptOutcome {
        switch invocation.node.action {
        case .agent(let agent, let uses, let command, _):
            return await agents.run(invocation, agent: agent, uses: uses, command: command)
        case .hook(_, let shell):
            let grace = killGrace
            return await StepProcess.onThread { Self.runHook(invocation, shell: shell, killGrace: grace) }
        }
    }

    static func runHook(_ invocation: StepInvocation, shell: String, killGrace: Double) -> AttemptOutcome {
        let words = shell.split(separator: " ").map(String.init)
        guard let first = words.first, let executable = StepProcess.resolve(first, path: invocation.environment["PATH"])
        else {
            return AttemptOutcome(kind: .error, message: "shell '\(shell)' is not on PATH")
        }
        let process = StepProcess(invocation: invocation, killGrace: killGrace)
        // A script that is one simple command (no shell syntax at all) is exec'd directly, as the shell itself would
        // end up doing: one process start instead of two.
        var program = executable
        var arguments = Array(words.dropFirst()) + ["-c", invocation.script]
        if let words = SimpleCommand.words(invocation.script),
            let resolved = StepProcess.resolve(words[0], path: invocation.environment["PATH"])
        {
            program = resolved
            arguments = Array(words.dropFirst())
        }
        switch process.run(program, arguments) {
        case .notStarted(let message): return AttemptOutcome(kind: .error, message: message)
        case .finished(let outcome, _, let read):
            if let stopped = process.stopped(outcome) { return stopped }
            let published: StepProcess.Published
            switch read {
            case .success(let values): published = values
            case .failure(let error): return process.rejected(error, after: outcome)
            }
            var result =
                outcome.exitCode == 0
                ? AttemptOutcome(kind: .succeeded, exitCode: 0, outputs: published.outputs)
                : AttemptOutcome(
                    kind: .failed, exitCode: outcome.exitCode, signal: outcome.signal, outputs: published.outputs)
            result.environment = published.environment
            result.summary = published.summary
            return result
        }
    }
}

/// Recognises scripts that are a single simple command, which need no shell to run.
enum SimpleCommand {
    /// Bytes that mean the shell must interpret the script (quotes, expansions, operators, globs, comments…).
    static let special: Set<UInt8> = Set("$`'\"\\|&;<>()*?[]{}~#=!%\n\r".utf8)
    /// Shell builtins and keywords that have no program of their own, or mean something else in a shell.
    static let builtins: Set<String> = [
        "cd", "exit", "export", "set", "unset", "source", ".", "eval", "exec", "read", "shift", "trap", "ulimit",
        "umask",
        "wait", "alias", "unalias", "readonly", "local", "return", "break", "continue", "times", "hash", "type",
        "command",
        "builtin", "declare", "typeset", "let", "getopts", "fg", "bg", "jobs", "if", "then", "else", "fi", "for",
        "while",
        "until", "do", "done", "case", "esac", "function", "select", "time", "coproc",
    ]

    /// The words of `script` when it is one simple command of plain words, else nil.
    static func words(_ script: String) -> [String]? {
        var words: [String] = []
        var current: [UInt8] = []
        for byte in script.utf8 {
            if special.contains(byte) { return nil }
            if byte == 0x20 || byte == 0x09 {
                if !current.isEmpty {
                    words.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                }
            } else {
                current.append(byte)
            }
            if words.count > 256 { return nil }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        guard let first = words.first, !builtins.contains(first) else { return nil }
        return words
    }
}
