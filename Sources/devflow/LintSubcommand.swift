import ArgumentParser
import DevFlowLint
import Foundation

/// `devflow lint`: the same as `devflow-lint`.
struct LintSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint", abstract: "Lint pipeline files (the same as devflow-lint).")

    @OptionGroup var options: LintFlags

    func run() throws {
        let outcome = options.values.execute(isTerminal: isatty(STDOUT_FILENO) == 1)
        FileHandle.standardOutput.write(Data(outcome.output.utf8))
        FileHandle.standardError.write(Data(outcome.errors.utf8))
        if outcome.exitCode != .clean { throw ExitCode(outcome.exitCode.rawValue) }
    }
}
