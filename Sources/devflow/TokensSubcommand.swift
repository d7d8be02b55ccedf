import ArgumentParser
import DevFlowServer
import Foundation

/// `devflow tokens create NAME --role ROLE [--expires 90d] | list | revoke NAME`.
struct TokensSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke the server's API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    /// Where the server's store is (for `tokens`, `audit` and `workers`).
    struct StoreOptions: ParsableArguments {
        @Option(help: "The server configuration whose store to use.")
        var config = "devflow-server.yml"

        @Option(help: "The server's store: a SQLite file or a postgres:// URL (overrides the configuration's 'db').")
        var db: String?

        var path: String { TokenCommands.databasePath(db: db, config: config) }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print it once; the store keeps only its SHA-256.")

        @Argument(help: "The token's name (who the audit log says acted).")
        var name: String

        @Option(help: "viewer (reads), operator (also acts on runs and breakers) or admin (also manages tokens).")
        var role: String

        @Option(help: "A lifetime such as 90d, 12h or 2w (default: never expires).")
        var expires: String?

        @OptionGroup var store: StoreOptions

        func run() throws {
            let code = TokenCommands.create(name: name, role: role, expires: expires, database: store.path).emit()
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens with their role, expiry and last use.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let code = TokenCommands.list(database: store.path).emit()
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: it stops working at once.")

        @Argument(help: "The token's name.")
        var name: String

        @OptionGroup var store: StoreOptions

        func run() throws {
            let code = TokenCommands.revoke(name: name, database: store.path).emit()
            if code != 0 { throw ExitCode(code) }
        }
    }
}

/// `devflow audit [--since DATE] [--until DATE] [--format text|json|csv]`.
struct AuditSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the audit log: every change made through the API or the CLI, who, what, when, from where.")

    @Option(help: "From this date (2026-12-01) or ISO 8601 time.")
    var since: String?

    @Option(help: "Up to this date or time.")
    var until: String?

    @Option(help: "text, json or csv.")
    var format = "text"

    @OptionGroup var store: TokensSubcommand.StoreOptions

    func run() throws {
        let code = TokenCommands.audit(since: since, until: until, format: format, database: store.path).emit()
        if code != 0 { throw ExitCode(code) }
    }
}
