import ArgumentParser
import DevFlowCommandLine
import DevFlowLint

/// `devflow`: compile, plan and (later) run pipelines.
@main
struct DevFlowCommand: AsyncParsableCommand {
    static func main() async { await CommandMain.runAsync(Self.self) }

    static let configuration = CommandConfiguration(
        commandName: "devflow",
        abstract: "Declarative pipelines: lint, inspect, plan and run .devflow.yml files.",
        version: DevFlowVersion.current,
        subcommands: [
            LintSubcommand.self, GraphSubcommand.self, PlanSubcommand.self, RunSubcommand.self, RunsSubcommand.self,
            BreakersSubcommand.self, AgentsSubcommand.self, AgentSubcommand.self, AgentChildSubcommand.self,
        ])
}
