import DevFlowAgents
import DevFlowGraph
import DevFlowProcess
import DevFlowStepIO
import Foundation

/// Runs agent steps. Every agent call is one attempt: timeouts, retries and breakers apply as to hook steps.
public protocol AgentHost: Sendable {
    /// Runs one call of `agent` (a built-in named by `uses`, or the executable `command`) and reads its result.
    func run(_ invocation: StepInvocation, agent: String, uses: String?, command: String?) async -> AttemptOutcome
}

/// Hosts `command:` agents: an executable that reads the versioned JSON context on stdin and answers a JSON result
/// on stdout (docs/agents.md). Built-in agents are not part of this build; a step using one fails and says so.
public struct CommandAgentHost: AgentHost {
    /// Seconds between TERM and KILL.
    public var killGrace: Double

    /// Creates the host.
    public init(killGrace: Double = 5) { self.killGrace = killGrace }

    /// Runs one call of the agent.
    public func run(_ invocation: StepInvocation, agent: String, uses: String?, command: String?) async
        -> AttemptOutcome
    {
        guard let command else {
            return AttemptOutcome(
                kind: .error,
                message:
                    "agent '\(agent)' uses the built-in '\(uses ?? agent)', and built-in agents are not part of this build yet; use a command: agent"
            )
        }
        let grace = killGrace
        return await StepProcess.onThread { Self.call(invocation, agent: agent, command: command, killGrace: grace) }
    }

    static func call(_ invocation: StepInvocation, agent: String, command: String, killGrace: Double) -> AttemptOutcome
    {
        let process = StepProcess(invocation: invocation, killGrace: killGrace)
        let contextFile = PathName.join(process.scratch, "\(process.slug).json")
        _ = FileManager.default.createFile(atPath: contextFile, contents: invocation.agentContext)
        defer { try? FileManager.default.removeItem(atPath: contextFile) }
        let path = command.hasPrefix("/") ? command : "\(invocation.workingDirectory)/\(command)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return AttemptOutcome(kind: .error, message: "agent '\(agent)': '\(command)' is not an executable file")
        }
        // The launcher closes stdin; a shell hands the agent its context on stdin instead.
        let result = process.run(
            "/bin/sh", ["-c", "exec \"$0\" < \"$DEVFLOW_AGENT_CONTEXT\"", path],
            extraEnvironment: ["DEVFLOW_AGENT_CONTEXT": contextFile],
            captureStdout: true)
        switch result {
        case .notStarted(let message): return AttemptOutcome(kind: .error, message: message)
        case .finished(let outcome, let stdout, let read):
            if let stopped = process.stopped(outcome) { return stopped }
            switch read {
            case .success(let published):
                var result = answer(stdout, process: outcome, outputs: published.outputs)
                if result.kind == .succeeded || result.kind == .failed {
                    result.environment = published.environment
                    result.summary = published.summary
                }
                return result
            case .failure(let error): return process.rejected(error, after: outcome)
            }
        }
    }

    /// Reads an agent's JSON answer; malformed answers are a clear step error.
    static func answer(_ lines: [String], process: ProcessOutcome, outputs: [String: String]) -> AttemptOutcome {
        let text = lines.joined(separator: "\n")
        guard process.exitCode == 0 || !text.isEmpty else {
            return AttemptOutcome(
                kind: .failed, exitCode: process.exitCode, signal: process.signal,
                message: "the agent exited without an answer")
        }
        let result: AgentResult
        switch AgentAnswer.read(text) {
        case .success(let read): result = read
        case .failure(let error):
            return AttemptOutcome(
                kind: .error, exitCode: process.exitCode, agentErrorKind: "malformed_response", message: error.message)
        }
        var merged = outputs
        for (key, value) in result.outputs ?? [:] { merged[key] = value }
        let findings = (result.findings ?? []).map(Finding.init(reported:))
        switch result.status {
        case "success":
            var outcome = AttemptOutcome(kind: .succeeded, exitCode: process.exitCode, outputs: merged)
            outcome.findings = findings
            return outcome
        case "failure":
            var outcome = AttemptOutcome(
                kind: .failed, exitCode: process.exitCode, outputs: merged,
                message: "the agent reported failure with \(findings.count) finding(s)")
            outcome.findings = findings
            return outcome
        default:
            return AttemptOutcome(
                kind: .error, agentErrorKind: result.errorKind, outputs: merged,
                message: result.summary ?? "the agent reported an error")
        }
    }

}
