import ArgumentParser
import DevFlowRunCommands
import Foundation

extension AnalyticsCommands.Format: ExpressibleByArgument {}

/// `devflow dora`: deployment frequency, lead time, change failure rate and recovery time per environment.
struct DoraSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dora",
        abstract: "The four DORA metrics of the recorded deployments, per repository and environment, with levels.")

    @Option(name: .customLong("repo"), help: "Only this repository (owner/name).")
    var repository: String?

    @Option(help: "Only this environment (a step's `deployment:`).")
    var environment: String?

    @Option(help: "How far back from now: 90d, 12w, 36h.")
    var window: String = "90d"

    @Option(help: "A rollback or hotfix this soon after a deployment marks it as a failed change.")
    var fixWindow: String = "1d"

    @Option(help: "text or json.")
    var format: AnalyticsCommands.Format = .text

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    func run() throws {
        let output = AnalyticsCommands.dora(
            database: db, repository: repository, environment: environment, window: window, fixWindow: fixWindow,
            format: format)
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `devflow insights PIPELINE`: step durations and trends, flaky steps, queue time, critical path, forecast, agents.
struct InsightsSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "What a pipeline's recent runs say: slow, flaky and critical steps, queue time, forecast, agents.")

    @Argument(help: "The pipeline's name.")
    var pipeline: String

    @Option(name: .customLong("repo"), help: "Only this repository's runs (owner/name).")
    var repository: String?

    @Option(help: "How far back from now: 30d, 4w, 36h.")
    var window: String = "30d"

    @Option(help: "text or json.")
    var format: AnalyticsCommands.Format = .text

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    func run() throws {
        let output = AnalyticsCommands.insights(
            database: db, pipeline: pipeline, repository: repository, window: window, format: format)
        let code = output.emit()
        if code != 0 { throw ExitCode(code) }
    }
}
