import ArgumentParser
import DevFlowRunner

/// `devflow agent-child CONTEXT_FILE` (hidden): the child process a run starts for one call of a built-in agent.
/// It reads the agent protocol's context from the file and answers the protocol's result on stdout (docs/agents.md).
/// `devflow agent-child --serve` is the fork server a run keeps for these calls (handled before argument parsing,
/// in `DevFlowCommand.main`).
struct AgentChildSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-child", abstract: "Run one call of a built-in agent for a run (internal).",
        shouldDisplay: false)

    @Argument(help: "The context file the runner wrote (or --serve: be the fork server of such calls).")
    var context: String

    func run() throws {
        let code = BuiltInAgentChild.main(contextFile: context)
        if code != 0 { throw ExitCode(code) }
    }
}
