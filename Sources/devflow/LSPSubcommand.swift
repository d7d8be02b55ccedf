import ArgumentParser
import DevFlowLanguageServer
import Foundation

/// `devflow lsp`: the language server, over standard input and output.
struct LSPSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the language server (LSP 3.17 over stdio): diagnostics, completion, hover, definitions, fixes.",
        discussion: "Editors start it; see docs/editors.md for VS Code, Neovim and Helix.")

    @Flag(help: "Accepted for editors that pass it; stdio is the only transport.")
    var stdio = false

    func run() throws {
        let code = StdioTransport.serve(LanguageServer())
        throw ExitCode(code)
    }
}
