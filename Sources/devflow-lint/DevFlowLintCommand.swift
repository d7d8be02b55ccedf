import ArgumentParser
import DevFlowCommandLine
import DevFlowLint
import Foundation

/// `devflow-lint`: lint `.devflow.yml` files.
@main
struct DevFlowLintCommand: ParsableCommand {
    static func main() { CommandMain.run(Self.self) }

    static let configuration = CommandConfiguration(
        commandName: "devflow-lint",
        abstract: "Check DevFlow pipeline files and report every problem with its exact span.",
        discussion: """
            With no path, lints .devflow.yml and .devflow/*.yml in the current directory. '-' reads standard input.
            Exit codes: 0 clean, 1 findings at or above the failing severity, 2 usage error, 3 internal failure.
            Suppress a finding inline with '# devflow-lint: ignore[rule] reason' (the reason is required).
            """,
        version: DevFlowVersion.current)

    @OptionGroup var options: LintFlags

    func run() throws {
        let outcome = options.values.execute(isTerminal: isatty(STDOUT_FILENO) == 1)
        try CommandMain.finish(outcome)
    }
}
