import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow runs list|show RUN|logs RUN [NODE]`.
struct RunsSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List runs, show one, print its logs, or render what its agents found.")

    @Argument(help: "list, show, logs or findings.")
    var action: String = "list"

    @Argument(help: "The run (for show and logs).")
    var runId: Int64?

    @Argument(help: "A node (for logs).")
    var node: String?

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    @Option(help: "How many runs to list.")
    var limit: Int = 20

    @Option(help: "Findings format: json, markdown, github or sarif.")
    var format: String = "markdown"

    func run() throws {
        let output: StoreCommands.Output
        switch action {
        case "list": output = StoreCommands.list(database: db, limit: limit)
        case "findings":
            guard let runId else { throw ValidationError("'runs findings' needs a run id") }
            output = FindingsCommand.render(run: runId, format: format, database: db)
        case "show", "logs":
            guard let runId else { throw ValidationError("'runs \(action)' needs a run id") }
            output =
                action == "show"
                ? StoreCommands.show(run: runId, database: db)
                : StoreCommands.logs(run: runId, node: node, database: db)
        default: throw ValidationError("unknown action '\(action)'; expected list, show, logs or findings")
        }
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}
