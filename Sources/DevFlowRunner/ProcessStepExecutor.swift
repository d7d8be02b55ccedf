import DevFlowGraph
import Foundation

/// Runs hook steps as shell scripts and hands agent steps to an `AgentHost`.
public struct ProcessStepExecutor: StepExecutor {
    /// Seconds between TERM and KILL.
    public var killGrace: Double
    /// Runs agent steps.
    public var agents: any AgentHost

    /// Creates the executor; agents default to `command:` agents.
    public init(killGrace: Double = 5, agents: (any AgentHost)? = nil) {
        self.killGrace = killGrace
        self.agents = agents ?? CommandAgentHost(killGrace: killGrace)
    }

    /// Runs one attempt.
    public func execute(_ invocation: StepInvocation) async -> AttemptOutcome {
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
        switch process.run(executable, Array(words.dropFirst()) + ["-c", invocation.script]) {
        case .notStarted(let message): return AttemptOutcome(kind: .error, message: message)
        case .finished(let outcome, _, let outputs):
            if let stopped = process.stopped(outcome) { return stopped }
            if outcome.exitCode == 0 { return AttemptOutcome(kind: .succeeded, exitCode: 0, outputs: outputs) }
            return AttemptOutcome(kind: .failed, exitCode: outcome.exitCode, signal: outcome.signal, outputs: outputs)
        }
    }
}
