import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow agent run NAME`: one built-in agent on the current repository, outside a pipeline.
struct AgentSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run one built-in agent on the current repository.",
        discussion: "Exit codes: 0 no failing finding, 1 findings at or above fail_on, 2 usage or agent error.")

    @Argument(help: "run.")
    var action: String

    @Argument(help: "The built-in agent (see 'devflow agents list').")
    var name: String

    @Option(
        name: .customLong("with"),
        help:
            "An input as KEY=VALUE (repeatable), e.g. scope=all, fail_on=medium; a JSON list or mapping for list inputs."
    )
    var inputs: [String] = []

    @Option(help: "Compare with this revision's merge base instead of the last commit.")
    var base: String?

    @Option(help: "text, json, sarif, github or markdown.")
    var format: String = "text"

    @Option(help: "The run database performance-optimizer reads history from (default: .devflow/devflow.sqlite).")
    var db: String?

    func run() throws {
        guard action == "run" else { throw ValidationError("unknown action '\(action)'; expected run") }
        let code = AgentRunCommand.run(name: name, with: inputs, base: base, format: format, databasePath: db).emit()
        if code != 0 { throw ExitCode(code) }
    }
}
