import DevFlowAgents
import DevFlowGraph
import DevFlowProcess
import DevFlowStepIO
import Foundation

/// One call of a built-in agent in a child process: started by the fork server (`devflow agent-child --serve`,
/// one per concurrent call, kept loaded between calls, forking a fresh process per call) or, when no fork server
/// can take it, by executing `devflow agent-child CONTEXT_FILE`; and what its end means for the step.
struct ChildCall {
    let name: String
    let process: StepProcess
    let tail: StderrTail
    let memoryLimit: Int?

    var invocation: StepInvocation { process.invocation }

    /// The arguments that start a fork server of built-in agents.
    static let serverArguments = ["agent-child", "--serve"]
    /// The largest answer read from a forked call's stdout file.
    static let answerLimit = 64 << 20
    /// How much of a forked call's stderr file goes to the step's log (its end).
    static let stderrLimit = 1 << 20

    /// Runs the call through a fork server of `executable`; nil when no server could take it (none could be
    /// started, or it refused), and the caller executes the child instead.
    func forked(executable: String, contextFile: String, killGrace: Double) -> AttemptOutcome? {
        let stdoutFile = PathName.join(process.scratch, "\(process.slug).agent.out")
        let stderrFile = PathName.join(process.scratch, "\(process.slug).agent.err")
        defer {
            unlink(stdoutFile)
            unlink(stderrFile)
        }
        let call = ForkServerCall(
            arguments: [contextFile], environment: invocation.environment,
            workingDirectory: invocation.workingDirectory,
            stdoutPath: stdoutFile, stderrPath: stderrFile, memoryLimit: memoryLimit,
            timeout: .milliseconds(Int64(invocation.timeout * 1000)), killGrace: .milliseconds(Int64(killGrace * 1000)))
        var cancelKey: Int?
        var served: Result<ForkServerClient.CallResult, ProcessLaunchError> = .success(.unreachable)
        // A server that died while idle is found when the call cannot be sent (nothing ran): one retry, on a new one.
        for _ in 0..<2 {
            served = ForkServerPool.shared.withServer(
                executable: executable, arguments: Self.serverArguments, environment: Self.serverEnvironment()
            ) { server in
                server.call(call) { running in
                    cancelKey = invocation.cancellation.onCancel { graceful in running.cancel(graceful: graceful) }
                }
            }
            if case .success(.unreachable) = served { continue }
            break
        }
        if let cancelKey { invocation.cancellation.remove(cancelKey) }
        switch served {
        case .failure, .success(.refused), .success(.unreachable):
            return nil
        case .success(.lost):
            replayStderr(stderrFile)
            return AttemptOutcome(
                kind: .error,
                message:
                    "agent '\(name)': the agent host process (\(executable) agent-child --serve) ended while the agent ran, and the agent with it\(tail.sentence)"
            )
        case .success(.unresponsive):
            replayStderr(stderrFile)
            return AttemptOutcome(
                kind: .timedOut,
                message:
                    "agent '\(name)': the agent host process (\(executable) agent-child --serve) did not answer within the step's timeout and grace, and was killed with the agent\(tail.sentence)"
            )
        case .success(.ended(let ended)):
            replayStderr(stderrFile)
            guard let answer = Self.read(stdoutFile, limit: Self.answerLimit) else {
                return AttemptOutcome(
                    kind: .error,
                    message:
                        "agent '\(name)': its answer is larger than \(BuiltInAgentHost.bytes(Self.answerLimit))\(tail.sentence)"
                )
            }
            return outcome(ended, answer: String(decoding: answer, as: UTF8.self))
        }
    }

    /// The fork server's environment: the runner's, without Swift's crash backtracer (see `callChild`).
    static func serverEnvironment() -> [String: String] {
        var environment = ProcessSpec.currentEnvironment()
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return environment
    }

    /// The stderr a forked call wrote, to the step's log and the tail of its error message, as the executed child's
    /// lines go while it runs.
    private func replayStderr(_ path: String) {
        guard let bytes = Self.read(path, limit: Self.stderrLimit, keepEnd: true), !bytes.isEmpty else { return }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines { process.invocation.onLine("stderr", String(decoding: line, as: UTF8.self)) }
    }

    /// The file's bytes (empty when it does not exist); at most `limit` of them: nil beyond it, or its last `limit`
    /// bytes with `keepEnd`.
    static func read(_ path: String, limit: Int, keepEnd: Bool = false) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
        if size > limit && !keepEnd { return nil }
        try? handle.seek(toOffset: UInt64(max(0, size - limit)))
        return [UInt8]((try? handle.readToEnd()) ?? Data())
    }

    /// What the child's end means: stopped, killed by a signal (the memory limit's hint when it trapped), an exit
    /// without a valid answer, or the agent's result.
    func outcome(_ ended: ProcessOutcome, answer text: String) -> AttemptOutcome {
        if let stopped = process.stopped(ended) { return stopped }
        if let signal = ended.signal {
            // Beyond RLIMIT_DATA malloc fails, and the Swift runtime then traps; a SIGKILL is never the limit's.
            let trapped = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS].contains(signal)
            let limit = memoryLimit.flatMap { limit in
                trapped
                    ? "; if it ran out of memory: it runs under a memory limit of \(BuiltInAgentHost.bytes(limit)) (\(AgentChildSettings.memoryLimitVariable))"
                    : nil
            }
            return AttemptOutcome(
                kind: .error, signal: signal,
                message:
                    "agent '\(name)': its child process was killed by \(SignalName.of(signal))\(limit ?? "")\(tail.sentence)"
            )
        }
        let read = AgentAnswer.read(text)
        guard ended.exitCode == 0, case .success(let answer) = read else {
            var why = ""
            if ended.exitCode == 0, case .failure(let error) = read { why = " (\(error.message))" }
            return AttemptOutcome(
                kind: .error, exitCode: ended.exitCode,
                message:
                    "agent '\(name)': its child process exited with code \(ended.exitCode ?? -1) without a valid answer\(why)\(tail.sentence)"
            )
        }
        guard let outputs = answer.outputs else {
            // The agent threw: the summary is the error message (as in-process).
            return AttemptOutcome(kind: .error, message: answer.summary ?? "agent '\(name)' failed")
        }
        let built = BuiltInAgentResult(
            status: answer.status, findings: (answer.findings ?? []).map(Finding.init(reported:)),
            summary: answer.summary ?? "", outputs: outputs)
        return BuiltInAgentHost.outcome(built, invocation: invocation)
    }
}
