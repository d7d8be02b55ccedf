import ArgumentParser
import DevFlowServer
import Foundation

/// `devflow worker [--config devflow-server.yml] [--db URL] [--data DIR] [--labels a,b] [--slots N]`.
struct WorkerSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim runs from the shared store and run them on this machine (no HTTP listener).",
        discussion: """
            A worker reads the same server configuration as 'devflow serve' (repositories, clone tokens, secrets) \
            and shares its store: a postgres:// URL for workers on other hosts, or the server's SQLite file on \
            the same host. It registers, heartbeats, and shows in 'devflow workers list'. Runs whose pipeline \
            says 'runs_on: [gpu]' go only to workers with every label listed; each worker also has its system \
            and architecture (linux, x86_64).
            """)

    @Option(help: "The server configuration (repositories, tokens, secrets).")
    var config = "devflow-server.yml"

    @Option(help: "The store: a postgres://user:password@host:port/database URL, or a SQLite file (overrides 'db').")
    var db: String?

    @Option(help: "Mirrors and workspaces on this machine (overrides 'data').")
    var data: String?

    @Option(help: "This worker's labels, comma-separated, such as linux,gpu (overrides 'labels').")
    var labels: String?

    @Option(help: "Runs at once, 1 to 10000 (overrides 'workers').")
    var slots: Int?

    @Option(
        help:
            "Step processes at once across all runs, 1 to 1024 (overrides 'processes'; default 2 × slots, at most 64).")
    var processes: Int?

    func validate() throws {
        let range = ServerSettings.workerRange
        if let slots, !(1...range.upperBound).contains(slots) {
            throw ValidationError("--slots must be between 1 and \(range.upperBound), found \(slots)")
        }
        try Self.validate(processes: processes)
    }

    /// `--processes` within `ServerSettings.processRange`.
    static func validate(processes: Int?) throws {
        let range = ServerSettings.processRange
        if let processes, !range.contains(processes) {
            throw ValidationError(
                "--processes must be between \(range.lowerBound) and \(range.upperBound), found \(processes)")
        }
    }

    func run() async throws {
        let code = await WorkerCommand.run(
            config: config, db: db, data: data, labels: labels.map(Self.labelList), slots: slots,
            processes: processes)
        if code != 0 { throw ExitCode(code) }
    }

    /// `a, b,c` as `["a", "b", "c"]`.
    static func labelList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// `devflow workers list | labels`.
struct WorkersSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers", abstract: "Show the workers registered in the store.",
        subcommands: [List.self, Labels.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List workers: kind, state (online, lost, stopped), slots, running runs, labels, heartbeat.")

        @Option(help: "text or json.")
        var format = "text"

        @OptionGroup var store: TokensSubcommand.StoreOptions

        func run() throws {
            let code = WorkerCommands.list(database: store.path, format: format).emit()
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct Labels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every label an online worker has, one per line (for worker_labels: in .devflow-lint.yml).")

        @OptionGroup var store: TokensSubcommand.StoreOptions

        func run() throws {
            let code = WorkerCommands.labels(database: store.path).emit()
            if code != 0 { throw ExitCode(code) }
        }
    }
}
