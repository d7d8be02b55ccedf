import DevFlowGraph
import DevFlowProcess
import Foundation

/// Launches one attempt's process (its own session and process group), streams its lines to the invocation,
/// wires cancellation, and reads `$DEVFLOW_OUTPUT`. Shared by hook steps and command agents.
struct StepProcess {
    /// What came back.
    enum Result {
        /// The process could not be started.
        case notStarted(String)
        /// It ran: how it ended, what it wrote to stdout (when captured) and its outputs.
        case finished(ProcessOutcome, stdout: [String], outputs: [String: String])
    }

    let invocation: StepInvocation
    let killGrace: Double

    /// The run's scratch directory for the outputs file and an agent's context.
    var scratch: URL { URL(fileURLWithPath: invocation.scratchDirectory) }

    var slug: String {
        invocation.node.id.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "-\(invocation.attempt)"
    }

    /// Runs `executable` with `arguments` on the calling thread; with `captureStdout`, stdout is returned rather than logged.
    func run(
        _ executable: String, _ arguments: [String], extraEnvironment: [String: String] = [:],
        captureStdout: Bool = false
    ) -> Result {
        // The step creates the outputs file when it writes to it (`>> "$DEVFLOW_OUTPUT"`); most steps never do.
        let outputFile = "\(invocation.scratchDirectory)/\(slug).out"
        defer { unlink(outputFile) }
        var environment = invocation.environment
        environment["DEVFLOW_OUTPUT"] = outputFile
        for (name, value) in extraEnvironment { environment[name] = value }
        let spec = ProcessSpec(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: invocation.workingDirectory,
            timeout: .milliseconds(Int64(invocation.timeout * 1000)), killGrace: .milliseconds(Int64(killGrace * 1000)))
        var cancelKey: Int?
        var captured: [String] = []
        let outcome: ProcessOutcome
        do {
            outcome = try ProcessLauncher.run(
                spec,
                onStart: { running in
                    cancelKey = invocation.cancellation.onCancel { graceful in running.cancel(graceful: graceful) }
                },
                onLine: { line in
                    if captureStdout, line.stream == .stdout {
                        if captured.count < 100_000 { captured.append(line.text) }
                    } else {
                        invocation.onLine(line.stream.rawValue, line.text)
                    }
                })
        } catch {
            return .notStarted(error.description)
        }
        if let cancelKey { invocation.cancellation.remove(cancelKey) }
        return .finished(outcome, stdout: captured, outputs: Self.readOutputs(outputFile))
    }

    /// The outcome of a process that was stopped (cancelled or timed out), if it was.
    func stopped(_ outcome: ProcessOutcome) -> AttemptOutcome? {
        if outcome.cancelled {
            return AttemptOutcome(kind: .cancelled, exitCode: outcome.exitCode, signal: outcome.signal)
        }
        if outcome.timedOut {
            return AttemptOutcome(
                kind: .timedOut, signal: outcome.signal, message: String(format: "%.0fs", invocation.timeout))
        }
        return nil
    }

    /// Runs blocking work off the concurrency pool, on dispatch threads that are reused between attempts.
    static func onThread(_ work: @escaping @Sendable () -> AttemptOutcome) async -> AttemptOutcome {
        await withCheckedContinuation { continuation in
            blocking.async { continuation.resume(returning: work()) }
        }
    }

    static let blocking = DispatchQueue(label: "devflow.steps", qos: .userInitiated, attributes: .concurrent)

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
