import ArgumentParser
import DevFlowServer
import Foundation

/// `devflow serve [--config devflow-server.yml] [--listen HOST:PORT] [--db PATH|URL] [--data DIR] [--workers N]`.
struct ServeSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run pipelines on push: verified webhooks, a durable queue, workers, commit statuses.")

    @Option(help: "The server configuration.")
    var config = "devflow-server.yml"

    @Option(help: "HOST:PORT to listen on (overrides 'listen').")
    var listen: String?

    @Option(help: "The store: a SQLite file, or a postgres://user:password@host:port/database URL (overrides 'db').")
    var db: String?

    @Option(help: "Mirrors and workspaces (overrides 'data').")
    var data: String?

    @Option(
        help:
            "Runs executed at once, 0 to 10000 (overrides 'workers'; 0 accepts webhooks and leaves runs queued)."
    )
    var workers: Int?

    @Option(
        help:
            "Step processes at once across all runs, 1 to 1024 (overrides 'processes'; default 2 × workers, at most 64)."
    )
    var processes: Int?

    @Option(help: "Worker labels of the in-process workers, comma-separated (overrides 'labels'; for runs_on:).")
    var labels: String?

    @Flag(help: "Check the configuration, print every problem, and exit (0 valid, 1 invalid).")
    var check = false

    @Flag(
        help:
            "Fill an empty store with 90 days of made-up runs (CI, deployments, failures, rollbacks) for a first look at the dashboard."
    )
    var demoData = false

    func validate() throws {
        if let workers, !ServerSettings.workerRange.contains(workers) {
            throw ValidationError(
                "--workers must be between 0 and \(ServerSettings.workerRange.upperBound), found \(workers)")
        }
        try WorkerSubcommand.validate(processes: processes)
    }

    func run() async throws {
        let code =
            check
            ? ServeCommand.check(config: config)
            : await ServeCommand.serve(
                config: config, listen: listen, db: db, data: data, workers: workers, processes: processes,
                labels: labels.map(WorkerSubcommand.labelList), demoData: demoData)
        if code != 0 { throw ExitCode(code) }
    }
}
