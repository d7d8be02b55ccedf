import ArgumentParser
import DevFlowAgents
import Foundation

/// `devflow agents list`: the built-in agents with their inputs and rules.
struct AgentsSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "List the built-in agents, their inputs and the rules they report.")

    @Argument(help: "list.")
    var action: String = "list"

    func run() throws {
        guard action == "list" else { throw ValidationError("unknown action '\(action)'; expected list") }
        var text = ""
        for agent in BuiltInAgents.catalogue {
            text += "\(agent.name)\n  inputs: \(agent.inputs)\n"
            if agent.name == "security-guardian" {
                text += "  rules:\n"
                for rule in SecurityGuardian.rules {
                    text +=
                        "    \(rule.id.padding(toLength: 28, withPad: " ", startingAt: 0)) \(rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(rule.summary)\n"
                }
            }
        }
        text += "\nAny executable can be an agent: see docs/agents.md (command: agents).\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
