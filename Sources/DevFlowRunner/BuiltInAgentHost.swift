import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import Foundation

/// Hosts both kinds of agents: built-in ones (`uses:`) run in-process on the workspace and its git changes;
/// `command:` agents are handed to `CommandAgentHost`.
public struct BuiltInAgentHost: AgentHost {
    /// Runs command agents.
    public var commands: CommandAgentHost
    /// Runs `uses: llm` steps.
    public var llm: LLMAgentHost

    /// Creates the host.
    public init(killGrace: Double = 5, llm: LLMAgentHost = LLMAgentHost()) {
        commands = CommandAgentHost(killGrace: killGrace)
        self.llm = llm
    }

    /// Runs one call of the agent.
    public func run(_ invocation: StepInvocation, agent: String, uses: String?, command: String?) async
        -> AttemptOutcome
    {
        if let command { return await commands.run(invocation, agent: agent, uses: uses, command: command) }
        let name = uses ?? agent
        if name == "llm" { return await llm.run(invocation) }
        return await StepProcess.onThread { Self.call(name, invocation: invocation) }
    }

    /// The git comparison for an event: the last commit for a push, the merge base for a pull request, staged or
    /// unpushed changes for hooks, and the last commit otherwise.
    static func comparison(for environment: [String: String]) -> GitComparison {
        switch environment["DEVFLOW_EVENT"] {
        case "pull_request":
            if let base = environment["DEVFLOW_GIT_BASE_BRANCH"] { return .pullRequest(head: "HEAD", target: base) }
            return .push(before: "", after: "HEAD")
        case "hook":
            return environment["DEVFLOW_HOOK"] == "pre-push" ? .unpushed(remoteBranch: nil) : .staged
        default:
            return .push(before: "", after: "HEAD")
        }
    }

    static func call(_ name: String, invocation: StepInvocation) -> AttemptOutcome {
        let workspace = invocation.environment["DEVFLOW_WORKSPACE"] ?? invocation.workingDirectory
        do {
            let environment = invocation.environment
            let request = AgentRequest(
                inputs: invocation.agentInputs, workspace: workspace,
                changes: { try AgentScope.changes(in: workspace, comparison: comparison(for: environment)) },
                history: invocation.history, graph: invocation.graph, node: invocation.node.id)
            let result = try BuiltInAgents.run(name, request: request)
            for line in result.summary.split(separator: "\n", omittingEmptySubsequences: false) {
                invocation.onLine("stderr", String(line))
            }
            var outcome = AttemptOutcome(
                kind: result.status == "success" ? .succeeded : result.status == "failure" ? .failed : .error,
                outputs: result.outputs,
                message: result.status == "success" ? nil : result.summary.split(separator: "\n").first.map(String.init)
            )
            outcome.findings = result.findings
            return outcome
        } catch let error as GitError {
            return AttemptOutcome(
                kind: .error, message: "agent '\(name)': \(error.message); use scope: all outside a git repository")
        } catch {
            return AttemptOutcome(kind: .error, message: "agent '\(name)': \(error)")
        }
    }
}
