import ArgumentParser
import DevFlowRunCommands
import DevFlowServer
import Foundation

/// `devflow breakers list|reset|open|disable NAME`.
struct BreakersSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakers", abstract: "List circuit breakers, or reset, force open or disable one.")

    @Argument(help: "list, reset, open or disable.")
    var action: String = "list"

    @Argument(help: "The breaker's name.")
    var name: String?

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    @OptionGroup var remote: RemoteOptions

    func run() async throws {
        guard ["list", "reset", "open", "disable"].contains(action) else {
            throw ValidationError("unknown action '\(action)'; expected list, reset, open or disable")
        }
        let output =
            if let client = try remote.client() {
                await RemoteCommands.breakers(client, action: action, name: name)
            } else {
                StoreCommands.breakers(action: action, name: name, database: db)
            }
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}
