import ArgumentParser
import DevFlowCommandLine
import DevFlowLint
import Foundation

/// `devflow lint`: the same as `devflow-lint`.
struct LintSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Lint pipeline files (the same as devflow-lint).")

    @OptionGroup var options: LintFlags

    func run() throws {
        let outcome = options.values.execute(isTerminal: isatty(STDOUT_FILENO) == 1)
        try CommandMain.finish(outcome)
    }
}
