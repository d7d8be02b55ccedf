import ArgumentParser
import DevFlowRunner

/// `devflow agent-child CONTEXT_FILE` (hidden): the child process a run starts for one call of a built-in agent.
/// It reads the agent protocol's context from the file and answers the protocol's result on stdout (docs/agents.md).
struct AgentChildSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-child", abstract: "Run one call of a built-in agent for a run (internal).",
        shouldDisplay: false)

    @Argument(help: "The context file the runner wrote.")
    var context: String

    func run() throws {
        let code = BuiltInAgentChild.main(contextFile: context)
        if code != 0 { throw ExitCode(code) }
    }
}
