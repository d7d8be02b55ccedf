import ArgumentParser
import DevFlowRunCommands
import Foundation

/// `devflow hooks install|uninstall|run`.
struct HooksSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "Install, remove or run the git hooks the pipeline's 'on.hook' names.",
        subcommands: [Install.self, Uninstall.self, Run.self])

    /// `devflow hooks install [--force] [--file F]`.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the hooks into the repository's hooks directory (core.hooksPath respected).")

        @Option(help: "The pipeline file.")
        var file = ".devflow.yml"

        @Flag(help: "Keep a hook that is not DevFlow's and run it first, instead of refusing.")
        var force = false

        func run() throws {
            let code = HookCommands.install(
                file: file, force: force, directory: FileManager.default.currentDirectoryPath)
            if code != 0 { throw ExitCode(code) }
        }
    }

    /// `devflow hooks uninstall`.
    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove DevFlow's hooks and put back the hooks they chained.")

        func run() throws {
            let code = HookCommands.uninstall(directory: FileManager.default.currentDirectoryPath)
            if code != 0 { throw ExitCode(code) }
        }
    }

    /// `devflow hooks run NAME [-- ARGS]`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run what the hook runs: the pipeline on the staged files (pre-commit) or the pushed range.")

        @Argument(help: "The hook: pre-commit, pre-push, commit-msg…")
        var hook: String

        @Option(help: "The pipeline file.")
        var file = ".devflow.yml"

        @Option(help: "What to print: live, stream, errors or quiet.")
        var output: String?

        @Argument(parsing: .postTerminator, help: "The arguments git gave the hook.")
        var arguments: [String] = []

        func run() async throws {
            let code = await HookCommands.run(
                hook: hook, file: file, output: output, directory: FileManager.default.currentDirectoryPath,
                input: { String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) })
            if code != 0 { throw ExitCode(code) }
        }
    }
}
