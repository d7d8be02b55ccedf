import ArgumentParser
import DevFlowCommandLine
import DevFlowLint
import DevFlowRunner
import Foundation

/// `devflow`: compile, plan and (later) run pipelines.
@main
struct DevFlowCommand: AsyncParsableCommand {
    static func main() async {
        // A run starts `devflow agent-child FILE` for every built-in agent call: skip the argument parser's
        // reflection, a few milliseconds of every call (the subcommand stays declared for its help).
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "agent-child" {
            Foundation.exit(
                arguments[2] == "--serve"
                    ? BuiltInAgentChild.serve() : BuiltInAgentChild.main(contextFile: arguments[2]))
        }
        await CommandMain.runAsync(Self.self)
    }

    static let configuration = CommandConfiguration(
        commandName: "devflow",
        abstract: "Declarative pipelines: lint, inspect, plan and run .devflow.yml files.",
        version: DevFlowVersion.current,
        subcommands: [
            LintSubcommand.self, GraphSubcommand.self, PlanSubcommand.self, RunSubcommand.self, RunsSubcommand.self,
            BreakersSubcommand.self, AgentsSubcommand.self, AgentSubcommand.self, AgentChildSubcommand.self,
            EditorConfigSubcommand.self, ServeSubcommand.self, WorkerSubcommand.self, WorkersSubcommand.self,
            DemoDataSubcommand.self, TriggerSubcommand.self, HooksSubcommand.self, LSPSubcommand.self,
            TokensSubcommand.self, AuditSubcommand.self, DoraSubcommand.self, InsightsSubcommand.self,
        ])
}
