import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import Foundation

/// Hosts both kinds of agents: built-in ones (`uses:`) run in a child process of `devflow` (see
/// `BuiltInAgentHost+Child.swift` and docs/agents.md), or in-process when asked; `command:` agents are handed to
/// `CommandAgentHost` and `uses: llm` to the injected `LLMStepHost` (DevFlowLLMHost's `LLMAgentHost`).
public struct BuiltInAgentHost: AgentHost {
    /// Runs command agents.
    public var commands: CommandAgentHost
    /// Runs `uses: llm` steps; nil in a build without the llm agent (its steps fail and say so).
    public var llm: (any LLMStepHost)?
    /// Whether built-ins run in a child process (the default) or in this process.
    public var isolation: BuiltInAgentIsolation
    /// The child's executable and memory limit.
    public var child: AgentChildSettings
    /// Seconds between TERM and KILL for a child that is stopped.
    public var killGrace: Double

    /// Creates the host.
    public init(
        killGrace: Double = 5, llm: (any LLMStepHost)? = nil, isolation: BuiltInAgentIsolation = .childProcess,
        child: AgentChildSettings = AgentChildSettings()
    ) {
        commands = CommandAgentHost(killGrace: killGrace)
        self.llm = llm
        self.isolation = isolation
        self.child = child
        self.killGrace = killGrace
    }

    /// Runs one call of the agent.
    public func run(_ invocation: StepInvocation, agent: String, uses: String?, command: String?) async
        -> AttemptOutcome
    {
        if let command { return await commands.run(invocation, agent: agent, uses: uses, command: command) }
        let name = uses ?? agent
        if name == NodeAction.llmAgent {
            guard let llm else {
                return AttemptOutcome(
                    kind: .error,
                    message:
                        "agent '\(agent)' uses the built-in 'llm', which this runner was started without; run it with devflow run or devflow serve"
                )
            }
            return await llm.run(invocation)
        }
        switch isolation {
        case .inProcess:
            return await StepProcess.onThread { Self.call(name, invocation: invocation) }
        case .childProcess, .executedChild:
            let settings = child
            let grace = killGrace
            let forked = isolation == .childProcess
            return await StepProcess.onThread {
                Self.callChild(name, invocation: invocation, settings: settings, killGrace: grace, forked: forked)
            }
        }
    }

    /// The git comparison for an event: the last commit for a push, the merge base for a pull request, staged or
    /// unpushed changes for hooks, and the last commit otherwise.
    public static func comparison(for environment: [String: String]) -> GitComparison {
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

    /// What one call of a built-in came to: its result, or an error message for the step.
    enum Performed {
        case answered(BuiltInAgentResult)
        case failed(String)
    }

    /// Runs built-in `name` here (in this process) on the step's workspace and event.
    static func perform(
        _ name: String, inputs: [String: JSONValue], workspace: String, environment: [String: String],
        graph: ExecutionGraph?, node: String?, history: @escaping () throws -> PipelineHistory
    ) -> Performed {
        do {
            let request = AgentRequest(
                inputs: inputs, workspace: workspace,
                changes: { try AgentScope.changes(in: workspace, comparison: comparison(for: environment)) },
                history: history, graph: graph, node: node)
            return .answered(try BuiltInAgents.run(name, request: request))
        } catch let error as GitError {
            return .failed("agent '\(name)': \(error.message); use scope: all outside a git repository")
        } catch {
            return .failed("agent '\(name)': \(error)")
        }
    }

    /// The attempt's outcome for a built-in's result; its summary goes to the step's log.
    static func outcome(_ result: BuiltInAgentResult, invocation: StepInvocation) -> AttemptOutcome {
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
    }

    /// One call in this process (no isolation).
    static func call(_ name: String, invocation: StepInvocation) -> AttemptOutcome {
        let performed = perform(
            name, inputs: invocation.agentInputs,
            workspace: invocation.environment["DEVFLOW_WORKSPACE"] ?? invocation.workingDirectory,
            environment: invocation.environment, graph: invocation.graph, node: invocation.node.id,
            history: invocation.history)
        switch performed {
        case .answered(let result): return outcome(result, invocation: invocation)
        case .failed(let message): return AttemptOutcome(kind: .error, message: message)
        }
    }
}
