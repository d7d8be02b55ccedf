import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow breakers list|reset|open|disable NAME`.
struct BreakersSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakers", abstract: "List circuit breakers, or reset, force open or disable one.")

    @Argument(help: "list, reset, open or disable.")
    var action: String = "list"

    @Argument(help: "The breaker's name.")
    var name: String?

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    func run() throws {
        guard ["list", "reset", "open", "disable"].contains(action) else {
            throw ValidationError("unknown action '\(action)'; expected list, reset, open or disable")
        }
        let output = StoreCommands.breakers(action: action, name: name, database: db)
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}
