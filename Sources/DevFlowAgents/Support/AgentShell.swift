import DevFlowProcess

/// Runs the shell commands some agents need (a formatter in check mode, the command of a generated docs region):
/// `/bin/sh -c` in the workspace, in its own process group, with a timeout, output captured.
enum AgentShell {
    /// How a command ended and what it printed.
    struct Result {
        /// Exit status; nil when killed by a signal or timed out.
        var exitCode: Int32?
        /// Whether the timeout stopped it.
        var timedOut: Bool
        /// Standard output, byte for byte (invalid UTF-8 replaced).
        var stdout: String
        /// Standard error.
        var stderr: String
        /// Whether the command exited 0.
        var succeeded: Bool { exitCode == 0 && !timedOut }
    }

    /// The most output kept per stream; the rest is dropped.
    static let maximumOutputBytes = 16 << 20

    /// Runs `command` in `directory`; `environment` entries are added to the process's own.
    static func run(
        _ command: String, in directory: String, timeout seconds: Double, environment: [String: String] = [:]
    ) throws -> Result {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", command],
            environment: ProcessSpec.currentEnvironment().merging(environment) { $1 }, workingDirectory: directory,
            timeout: .milliseconds(Int64(seconds * 1000)), killGrace: .seconds(2))
        let outcome: ProcessOutcome
        do {
            outcome = try ProcessLauncher.run(spec) { line in
                if line.stream == .stdout {
                    guard stdout.count < maximumOutputBytes else { return }
                    stdout += line.bytes
                    if line.isComplete { stdout.append(10) }
                } else {
                    guard stderr.count < maximumOutputBytes else { return }
                    stderr += line.bytes
                    if line.isComplete { stderr.append(10) }
                }
            }
        } catch {
            throw BuiltInAgentError("cannot run '\(command)': \(error)")
        }
        return Result(
            exitCode: outcome.exitCode, timedOut: outcome.timedOut, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
