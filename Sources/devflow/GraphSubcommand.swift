import ArgumentParser
import DevFlowCommandLine
import DevFlowLint
import Foundation

/// `devflow graph`: print the lowered execution graph.
struct GraphSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print the compiled execution graph as JSON, DOT or Mermaid.")

    @Argument(help: "The pipeline file.")
    var file: String = ".devflow.yml"

    @Option(help: "json, dot or mermaid.")
    var format: String = "json"

    func run() throws {
        let outcome = PipelineCommands.graph(file: file, format: format)
        try CommandMain.finish(outcome)
    }
}
