import ArgumentParser
import DevFlowLint
import Foundation

/// Runs a command with DevFlow's exit codes: 0 clean, 1 findings, 2 usage error, 3 internal failure.
public enum CommandMain {
    /// Parses the arguments, runs the command, and exits with DevFlow's codes (ArgumentParser's own usage code is 64).
    public static func run<Command: ParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) -> Never {
        do {
            var parsed = try command.parseAsRoot(arguments)
            try parsed.run()
            exit(0)
        } catch {
            fail(command, error)
        }
    }

    /// The same for commands with asynchronous subcommands (`devflow run`).
    public static func runAsync<Command: ParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) async
        -> Never
    {
        do {
            var parsed = try command.parseAsRoot(arguments)
            if var asynchronous = parsed as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try parsed.run()
            }
            exit(0)
        } catch {
            fail(command, error)
        }
    }

    static func fail<Command: ParsableCommand>(_ command: Command.Type, _ error: any Error) -> Never {
        if let code = error as? ExitCode { exit(code.rawValue) }
        let status = command.exitCode(for: error)
        if status == .success {
            // --help and --version.
            print(command.fullMessage(for: error))
            exit(0)
        }
        let message = command.fullMessage(for: error)
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        if status == .validationFailure { exit(LintSession.ExitCode.usage.rawValue) }
        exit(LintSession.ExitCode.internalFailure.rawValue)
    }

    /// Writes an outcome and turns its exit code into the command's result.
    public static func finish(_ outcome: LintSession.Outcome) throws {
        FileHandle.standardOutput.write(Data(outcome.output.utf8))
        FileHandle.standardError.write(Data(outcome.errors.utf8))
        if outcome.exitCode != .clean { throw ExitCode(outcome.exitCode.rawValue) }
    }
}
