import DevFlowGraph
import DevFlowProcess
import Foundation

/// Runs hook steps as shell scripts and `command:` agents as executables, each in its own session and process group.
public struct ProcessStepExecutor: StepExecutor {
    /// Seconds between TERM and KILL.
    public var killGrace: Double

    /// Creates the executor.
    public init(killGrace: Double = 5) { self.killGrace = killGrace }

    /// Runs one attempt on a dedicated thread (the launcher blocks while it reads the pipes).
    public func execute(_ invocation: StepInvocation) async -> AttemptOutcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: run(invocation)) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func run(_ invocation: StepInvocation) -> AttemptOutcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-\(getpid())-\(invocation.runId)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let slug = invocation.node.id.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let outputFile = scratch.appendingPathComponent("\(slug)-\(invocation.attempt).out").path
        FileManager.default.createFile(atPath: outputFile, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        var environment = invocation.environment
        environment["DEVFLOW_OUTPUT"] = outputFile

        let executable: String
        var arguments: [String]
        var agentStdout: [String]?
        switch invocation.node.action {
        case .hook(_, let shell):
            let words = shell.split(separator: " ").map(String.init)
            guard let first = words.first, let resolved = Self.resolve(first, path: environment["PATH"]) else {
                return AttemptOutcome(kind: .error, message: "shell '\(shell)' is not on PATH")
            }
            executable = resolved
            arguments = Array(words.dropFirst()) + ["-c", invocation.script]
        case .agent(let agent, let uses, let command, _):
            guard let command else {
                return AttemptOutcome(
                    kind: .error,
                    message:
                        "agent '\(agent)' uses the built-in '\(uses ?? agent)', and built-in agents are not part of this build yet; use a command: agent"
                )
            }
            let contextFile = scratch.appendingPathComponent("\(slug)-\(invocation.attempt).json").path
            FileManager.default.createFile(atPath: contextFile, contents: invocation.agentContext)
            environment["DEVFLOW_AGENT_CONTEXT"] = contextFile
            let path = command.hasPrefix("/") ? command : "\(invocation.workingDirectory)/\(command)"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                return AttemptOutcome(kind: .error, message: "agent '\(agent)': '\(command)' is not an executable file")
            }
            // The launcher closes stdin; a shell hands the agent its context on stdin instead.
            executable = "/bin/sh"
            arguments = ["-c", "exec \"$0\" < \"$DEVFLOW_AGENT_CONTEXT\"", path]
            agentStdout = []
        }
        let spec = ProcessSpec(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: invocation.workingDirectory,
            timeout: .milliseconds(Int64(invocation.timeout * 1000)), killGrace: .milliseconds(Int64(killGrace * 1000)))
        var cancelKey: Int?
        let outcome: ProcessOutcome
        do {
            outcome = try ProcessLauncher.run(
                spec,
                onStart: { running in
                    cancelKey = invocation.cancellation.onCancel { graceful in running.cancel(graceful: graceful) }
                },
                onLine: { line in
                    if agentStdout != nil, line.stream == .stdout {
                        if (agentStdout?.count ?? 0) < 100_000 { agentStdout?.append(line.text) }
                    } else {
                        invocation.onLine(line.stream.rawValue, line.text)
                    }
                })
        } catch {
            return AttemptOutcome(kind: .error, message: error.description)
        }
        if let cancelKey { invocation.cancellation.remove(cancelKey) }
        if outcome.cancelled {
            return AttemptOutcome(kind: .cancelled, exitCode: outcome.exitCode, signal: outcome.signal)
        }
        if outcome.timedOut {
            return AttemptOutcome(
                kind: .timedOut, signal: outcome.signal, message: String(format: "%.0fs", invocation.timeout))
        }
        let outputs = Self.readOutputs(outputFile)
        if let lines = agentStdout { return Self.agentOutcome(lines, process: outcome, outputs: outputs) }
        if outcome.exitCode == 0 { return AttemptOutcome(kind: .succeeded, exitCode: 0, outputs: outputs) }
        return AttemptOutcome(kind: .failed, exitCode: outcome.exitCode, signal: outcome.signal, outputs: outputs)
    }

    /// `key=value` lines; later lines win; other lines are ignored.
    static func readOutputs(_ path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else { return [:] }
        var outputs: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else { continue }
            outputs[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return outputs
    }

    /// Reads an agent's JSON answer; malformed answers are a clear step error.
    static func agentOutcome(_ lines: [String], process: ProcessOutcome, outputs: [String: String]) -> AttemptOutcome {
        let text = lines.joined(separator: "\n")
        guard process.exitCode == 0 || !text.isEmpty else {
            return AttemptOutcome(
                kind: .failed, exitCode: process.exitCode, signal: process.signal,
                message: "the agent exited without an answer")
        }
        let result: AgentResult
        do {
            result = try JSONDecoder().decode(AgentResult.self, from: Data(text.utf8))
        } catch {
            return AttemptOutcome(
                kind: .error, exitCode: process.exitCode, agentErrorKind: "malformed_response",
                message: "the agent's answer is not a valid result (\(text.prefix(80))…): \(error)")
        }
        guard result.version == AgentContext.version else {
            return AttemptOutcome(
                kind: .error, agentErrorKind: "malformed_response",
                message:
                    "the agent answered protocol version \(result.version); this runner speaks \(AgentContext.version)")
        }
        var merged = outputs
        for (key, value) in result.outputs ?? [:] { merged[key] = value }
        switch result.status {
        case "success": return AttemptOutcome(kind: .succeeded, exitCode: process.exitCode, outputs: merged)
        case "failure":
            let count = result.findings?.count ?? 0
            return AttemptOutcome(
                kind: .failed, exitCode: process.exitCode, outputs: merged,
                message: "the agent reported failure with \(count) finding(s)")
        default:
            return AttemptOutcome(
                kind: .error, agentErrorKind: result.errorKind, outputs: merged,
                message: result.summary ?? "the agent reported an error")
        }
    }

    /// The absolute path of `name` on `path` (or `name` itself if it contains a slash).
    static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
