import DevFlowAgents
import DevFlowGraph
import DevFlowProcess
import DevFlowStepIO
import Foundation

/// Built-in agents in a child process: `devflow agent-child CONTEXT_FILE` reads the agent protocol's context (with
/// the built-in's name, the graph and, for performance-optimizer, the history) and answers the protocol's result on
/// stdout. A crash, a hang or runaway memory ends the child, not the runner: the attempt is a step error naming the
/// signal and the tail of the child's stderr, under the step's timeout and the memory limit.
extension BuiltInAgentHost {
    static func callChild(
        _ name: String, invocation: StepInvocation, settings: AgentChildSettings, killGrace: Double, forked: Bool
    ) -> AttemptOutcome {
        let executable: String
        let memoryLimit: Int?
        switch (
            settings.resolveExecutable(environment: invocation.environment),
            settings.resolveMemoryLimit(environment: invocation.environment)
        ) {
        case (.success(let path), .success(let limit)):
            executable = path
            memoryLimit = limit
        case (.failure(let problem), _), (_, .failure(let problem)):
            return AttemptOutcome(kind: .error, message: "agent '\(name)': \(problem)")
        }
        let context: Data
        do {
            context = try childContext(name, invocation: invocation)
        } catch {
            return AttemptOutcome(kind: .error, message: "agent '\(name)': \(error)")
        }
        let tail = StderrTail()
        var watched = invocation
        watched.onLine = { stream, line in
            if stream == "stderr" { tail.append(line) }
            invocation.onLine(stream, line)
        }
        let process = StepProcess(invocation: watched, killGrace: killGrace)
        let contextFile = PathName.join(process.scratch, "\(process.slug).agent.json")
        guard FileManager.default.createFile(atPath: contextFile, contents: context) else {
            return AttemptOutcome(
                kind: .error, message: "agent '\(name)': cannot write its context to '\(contextFile)'")
        }
        defer { try? FileManager.default.removeItem(atPath: contextFile) }
        let child = ChildCall(name: name, process: process, tail: tail, memoryLimit: memoryLimit)
        // Swift's crash backtracer takes seconds and fills the tail with addresses: the runtime's one-line message
        // (`Fatal error: …`) says more, unless the step asks for backtraces (then it gets a process of its own:
        // the runtime reads the setting when it starts, and the fork server started without backtraces).
        let wantsBacktraces = invocation.environment["SWIFT_BACKTRACE"] != nil
        let optedOut = invocation.environment[AgentChildSettings.forkServerVariable] == "0"
        if forked, !wantsBacktraces, !optedOut,
            let outcome = child.forked(executable: executable, contextFile: contextFile, killGrace: killGrace)
        {
            return outcome
        }
        let result = process.run(
            executable, ["agent-child", contextFile],
            extraEnvironment: wantsBacktraces ? [:] : ["SWIFT_BACKTRACE": "enable=no"], captureStdout: true,
            memoryLimit: memoryLimit)
        switch result {
        case .notStarted(let message):
            return AttemptOutcome(kind: .error, message: "agent '\(name)': cannot start its child process: \(message)")
        case .finished(let ended, let stdout, _):
            return child.outcome(ended, answer: stdout.joined(separator: "\n"))
        }
    }

    /// The built-ins that read the graph and the run history; only they get them (the graph of a large pipeline is
    /// tens of kilobytes of JSON to write and parse, and the history costs store queries).
    static let readsGraphAndHistory: Set<String> = ["performance-optimizer"]

    /// The protocol context of the attempt plus what a built-in needs: its name, and the graph and the history for
    /// those that read them.
    static func childContext(_ name: String, invocation: StepInvocation) throws -> Data {
        var context = try JSONDecoder().decode(AgentContext.self, from: invocation.agentContext)
        context.agent = name
        if readsGraphAndHistory.contains(name) {
            context.graph = invocation.graph
            context.history = try invocation.history()
        }
        return try JSONEncoder().encode(context)
    }

    /// `2 GiB`, `256 MiB`, `1000 bytes`.
    static func bytes(_ count: Int) -> String {
        if count >= 1 << 30, count % (1 << 30) == 0 { return "\(count >> 30) GiB" }
        if count >= 1 << 20 { return "\(count >> 20) MiB" }
        return "\(count) bytes"
    }
}

/// The child's side: `devflow agent-child CONTEXT_FILE` runs one built-in and answers on stdout;
/// `devflow agent-child --serve` is the fork server that runs each call it is sent in a forked process so.
public enum BuiltInAgentChild {
    /// The fork server of built-in agents: each call's arguments are its context file (see `ForkServer`).
    public static func serve() -> Int32 {
        warmUp()
        return ForkServer.serve { arguments, environment in
            guard arguments.count == 1 else { return 2 }
            return main(contextFile: arguments[0], environment: environment)
        }
    }

    /// Work every call would otherwise repeat in its forked process: the agents' set-up and the JSON coders'
    /// first use.
    static func warmUp() {
        BuiltInAgents.warmUp()
        let context = Data(
            #"{"version":1,"inputs":{},"workspace":"/","run":{},"event":{},"agent":"security-guardian"}"#.utf8)
        _ = try? JSONDecoder().decode(AgentContext.self, from: context)
        _ = try? JSONEncoder().encode(Answer(status: "success", findings: [], outputs: [:], summary: ""))
    }

    /// What the child answers: the protocol's result, with each finding's full region and fix. A thrown error is
    /// `status: error` with the message as `summary` and no `outputs`.
    struct Answer: Encodable {
        var version = AgentContext.version
        var status: String
        var findings: [Finding]?
        var outputs: [String: String]?
        var summary: String
    }

    /// Runs the built-in named in the context file and writes its answer to stdout; returns the exit code (0 when it
    /// answered, 2 when the context cannot be read). Honours `DEVFLOW_AGENT_FAULT` (tests only, see `AgentFault`).
    public static func main(
        contextFile: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Int32 {
        guard let data = FileManager.default.contents(atPath: contextFile) else {
            FileHandle.standardError.write(
                Data("devflow agent-child: cannot read the context file '\(contextFile)'\n".utf8))
            return 2
        }
        let context: AgentContext
        do {
            context = try JSONDecoder().decode(AgentContext.self, from: data)
        } catch {
            FileHandle.standardError.write(
                Data("devflow agent-child: '\(contextFile)' is not an agent context: \(error)\n".utf8))
            return 2
        }
        guard let name = context.agent else {
            FileHandle.standardError.write(
                Data("devflow agent-child: the context names no built-in agent ('agent')\n".utf8))
            return 2
        }
        if let fault = environment[AgentFault.variable] { AgentFault(rawValue: fault)?.strike() }
        let history = context.history ?? PipelineHistory(runs: [])
        let performed = BuiltInAgentHost.perform(
            name, inputs: context.inputs, workspace: environment["DEVFLOW_WORKSPACE"] ?? context.workspace,
            environment: environment, graph: context.graph, node: context.run["node"], history: { history })
        let answer: Answer
        switch performed {
        case .answered(let result):
            answer = Answer(
                status: result.status, findings: result.findings, outputs: result.outputs, summary: result.summary)
        case .failed(let message):
            answer = Answer(status: "error", summary: message)
        }
        var encoded = (try? JSONEncoder().encode(answer)) ?? Data()
        encoded.append(0x0A)
        FileHandle.standardOutput.write(encoded)
        return 0
    }
}
