import ArgumentParser
import DevFlowCommandLine
import DevFlowLint

/// `devflow`: compile, plan and (later) run pipelines.
@main
struct DevFlowCommand: ParsableCommand {
    static func main() { CommandMain.run(Self.self) }

    static let configuration = CommandConfiguration(
        commandName: "devflow",
        abstract: "Declarative pipelines: lint, inspect and plan .devflow.yml files.",
        version: DevFlowVersion.current,
        subcommands: [LintSubcommand.self, GraphSubcommand.self, PlanSubcommand.self])
}
