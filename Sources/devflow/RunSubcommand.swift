import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow run`: execute a pipeline locally and record it.
struct RunSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline on this machine, recording every attempt in the run database.",
        discussion: "Exit codes: 0 succeeded, 1 failed, 2 usage error, 3 internal failure, 130 cancelled.")

    @Argument(help: "The pipeline file.")
    var file: String = ".devflow.yml"

    @Option(help: "push, pull_request, schedule, manual or hook.")
    var event: String = "manual"

    @Option(help: "The branch (default: the checked-out branch).")
    var branch: String?

    @Option(help: "For a pull_request: the target branch; changes are taken from the merge base with it.")
    var base: String?

    @Option(parsing: .upToNextOption, help: "Changed paths (path filters skip steps that match none).")
    var changed: [String] = []

    @Option(name: .shortAndLong, help: "Steps run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("step"), help: "Run only this step and what it needs (repeatable).")
    var steps: [String] = []

    @Option(help: "Resume a run: reuse what succeeded there, rerun the rest.")
    var resume: Int64?

    @Flag(help: "Run steps even when their inputs are unchanged.")
    var force = false

    @Flag(name: .customLong("fail-fast"), help: "Stop everything at the first failure.")
    var failFast = false

    @Option(help: "The run database (default: .devflow/devflow.sqlite).")
    var db: String?

    @Option(help: "Stream events as JSON lines: json.")
    var events: String?

    @Option(
        help: """
            What to print: live (each running step's latest line, redrawn in place; the default on a terminal), \
            stream (every line; the default elsewhere), errors (failures and their logs), quiet (failures and the result).
            """)
    var output: String?

    @Option(name: .customLong("input"), help: "A manual input as NAME=VALUE (repeatable).")
    var inputs: [String] = []

    @Option(name: .customLong("secrets-file"), help: "A file of NAME=VALUE lines with the values of declared secrets.")
    var secretsFile: String?

    func run() async throws {
        var options = RunCommands.RunOptions(
            file: file, event: event, branch: branch, changed: changed.isEmpty ? nil : changed, jobs: jobs,
            steps: steps, resume: resume,
            force: force, failFast: failFast, database: db, events: events, inputs: inputs)
        options.secretsFile = secretsFile
        options.output = output
        options.base = base
        let code = await RunCommands.run(options, isTerminal: isatty(STDOUT_FILENO) == 1)
        if code != 0 { throw ExitCode(code) }
    }
}
