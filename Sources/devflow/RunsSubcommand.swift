import ArgumentParser
import DevFlowRunCommands
import DevFlowServer
import Foundation

/// `devflow runs list|show RUN|logs RUN [NODE]|findings RUN`, on a local database or, with `--server`, a server's API,
/// which also takes `cancel|pause|resume RUN` and `rerun RUN [--failed | --from NODE]`.
struct RunsSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract:
            "List runs, show one, print (or follow) its logs, or render what its agents found; with --server, cancel, pause, resume or rerun one."
    )

    @Argument(help: "list, show, logs or findings; with --server also cancel, pause, resume or rerun.")
    var action: String = "list"

    @Argument(help: "The run (for everything but list).")
    var runId: Int64?

    @Argument(help: "A node (for logs).")
    var node: String?

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    @Option(help: "How many runs to list.")
    var limit: Int = 20

    @Option(help: "Findings format: json, markdown, github or sarif.")
    var format: String = "markdown"

    @OptionGroup var remote: RemoteOptions

    @Flag(help: "With --server: follow the log live (Server-Sent Events) until the node or run ends.")
    var follow = false

    @Flag(help: "rerun: only the steps that did not succeed (the others are reused).")
    var failed = false

    @Option(name: .customLong("from"), help: "rerun: from this step or node, with everything that needs it.")
    var fromNode: String?

    @Option(help: "cancel, pause, resume: why (for the audit log).")
    var reason: String?

    func run() async throws {
        let output: StoreCommands.Output
        if let client = try remote.client() {
            switch action {
            case "list": output = await RemoteCommands.list(client, limit: limit)
            case "show", "logs":
                guard let runId else { throw ValidationError("'runs \(action)' needs a run id") }
                output =
                    action == "show"
                    ? await RemoteCommands.show(client, run: runId)
                    : await RemoteCommands.logs(client, run: runId, node: node, follow: follow)
            case "cancel", "pause", "resume", "rerun":
                guard let runId else { throw ValidationError("'runs \(action)' needs a run id") }
                let verb: RemoteCommands.RunAction =
                    switch action {
                    case "cancel": .cancel
                    case "pause": .pause
                    case "resume": .resume
                    default: .rerun(failed: failed, from: fromNode)
                    }
                output = await RemoteCommands.control(client, run: runId, action: verb, reason: reason)
            default:
                throw ValidationError(
                    "with --server, 'runs' takes list, show, logs, cancel, pause, resume or rerun; found '\(action)'")
            }
        } else {
            if follow {
                throw ValidationError("--follow needs --server (or DEVFLOW_SERVER): it follows a server's log")
            }
            if ["cancel", "pause", "resume", "rerun"].contains(action) {
                throw ValidationError(
                    "'runs \(action)' needs --server (or DEVFLOW_SERVER): it asks a server, whose workers run the run")
            }
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
        }
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `--server URL --token TOKEN` (or `DEVFLOW_SERVER` and `DEVFLOW_TOKEN`): talk to a server's API, not a database.
struct RemoteOptions: ParsableArguments {
    @Option(help: "A DevFlow server's URL (or DEVFLOW_SERVER): ask its API instead of a local database.")
    var server: String?

    @Option(help: "The API token for --server (or DEVFLOW_TOKEN).")
    var token: String?

    /// The client, nil for the local database; a usage error when a server has no token.
    func client() throws -> APIClient? {
        switch RemoteCommands.client(server: server, token: token) {
        case nil: return nil
        case .success(let client): return client
        case .failure(let output): throw ValidationError(output.errors.replacingOccurrences(of: "devflow: ", with: ""))
        }
    }
}
