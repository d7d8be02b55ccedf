import ArgumentParser
import DevFlowCommandLine
import DevFlowLint
import DevFlowRunCommands
import Foundation

/// `devflow plan`: a dry run that explains what would run for an event.
struct PlanSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show, without running anything, which steps would run for an event and why.")

    @Argument(help: "The pipeline file.")
    var file: String = ".devflow.yml"

    @Option(help: "push, pull_request, schedule, manual or hook.")
    var event: String = "push"

    @Option(help: "The branch pushed to, or the pull request's head branch (default: the checked-out branch).")
    var branch: String?

    @Option(help: "A pull request's target branch.")
    var base: String?

    @Option(help: "The tag pushed.")
    var tag: String?

    @Option(help: "The git hook (pre-commit, pre-push…).")
    var hook: String?

    @Option(
        parsing: .upToNextOption,
        help:
            "Changed paths (default: from git: the last commit, the merge base with --base, staged or unpushed changes)."
    )
    var changed: [String] = []

    @Option(name: .customLong("input"), help: "A manual input as NAME=VALUE (repeatable).")
    var inputs: [String] = []

    @Option(help: "text or json.")
    var format: String = "text"

    func run() throws {
        // Without --changed, git tells: the last commit for a push, the merge base for a pull request, the staged or
        // unpushed changes for hooks.
        var changedPaths: [String]? = changed.isEmpty ? nil : changed
        if changedPaths == nil {
            let found = GitFacts.changedPaths(
                event: event, base: base, hook: hook, directory: FileManager.default.currentDirectoryPath)
            changedPaths = found.paths
            if let note = found.note {
                FileHandle.standardError.write(Data("devflow: changed paths unknown: \(note)\n".utf8))
            }
        }
        let request = PipelineCommands.PlanRequest(
            file: file, event: event, branch: branch, base: base, tag: tag, hook: hook,
            changed: changedPaths,
            inputs: inputs, format: format)
        let outcome = PipelineCommands.plan(request)
        try CommandMain.finish(outcome)
    }
}
