import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow runs list|show RUN|logs RUN [NODE]`.
struct RunsSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List runs, show one, or print its logs.")

    @Argument(help: "list, show or logs.")
    var action: String = "list"

    @Argument(help: "The run (for show and logs).")
    var runId: Int64?

    @Argument(help: "A node (for logs).")
    var node: String?

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    @Option(help: "How many runs to list.")
    var limit: Int = 20

    func run() throws {
        let output: StoreCommands.Output
        switch action {
        case "list": output = StoreCommands.list(database: db, limit: limit)
        case "show", "logs":
            guard let runId else { throw ValidationError("'runs \(action)' needs a run id") }
            output =
                action == "show"
                ? StoreCommands.show(run: runId, database: db)
                : StoreCommands.logs(run: runId, node: node, database: db)
        default: throw ValidationError("unknown action '\(action)'; expected list, show or logs")
        }
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}
