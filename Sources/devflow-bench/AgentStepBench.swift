import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import Foundation

/// `devflow-bench agents N [--rounds R]`: the cost of running built-in agents in a child process. A pipeline of N
/// security-guardian steps (`scope: all` on a workspace of one small file, -j 1) runs through RunEngine with
/// built-ins in-process and in child processes (`DEVFLOW_AGENT_EXECUTABLE`, or the devflow next to this binary),
/// interleaved round by round; prints each round, the minimum and median per step, and the difference and ratio.
enum AgentStepBench {
    static func run(_ arguments: [String]) async throws {
        let steps = arguments.first.flatMap { Int($0) } ?? 200
        var rounds = 5
        if let index = arguments.firstIndex(of: "--rounds"), index + 1 < arguments.count {
            rounds = Int(arguments[index + 1]) ?? rounds
        }
        var environment = ProcessInfo.processInfo.environment
        if environment[AgentChildSettings.executableVariable] == nil {
            let sibling = PathName.join(PathName.parent(of: CommandLine.arguments[0]), "devflow")
            environment[AgentChildSettings.executableVariable] = sibling
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-agent-bench-\(getpid())")
            .path
        let workspace = PathName.join(scratch, "workspace")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try "let greeting = \"hello\"\n".write(
            toFile: PathName.join(workspace, "main.swift"), atomically: true, encoding: .utf8)
        var yaml = """
            version: 1
            name: agent-bench
            on: {manual: {}}
            agents:
              guardian: {uses: security-guardian, with: {scope: all}}
            steps:

            """
        for index in 0..<steps { yaml += "  s\(index): {agent: guardian}\n" }
        let compilation = Compiler.compile(SourceFile(path: "agent-bench.yml", bytes: Array(yaml.utf8)))
        guard let graph = compilation.graph else { throw BenchError("the generated pipeline does not compile") }

        var times: [BuiltInAgentIsolation: [Double]] = [.inProcess: [], .childProcess: []]
        for round in 0...rounds {  // round 0 warms up and is not counted
            for isolation in [BuiltInAgentIsolation.inProcess, .childProcess] {
                let database = PathName.join(scratch, "r\(round)-\(isolation == .inProcess ? "in" : "child").sqlite")
                let store = try SQLiteRunStore(path: database)
                let request = RunRequest(
                    graph: graph, file: "agent-bench.yml", event: PlanEvent(kind: "manual"), workspace: workspace,
                    jobs: 1, environment: environment)
                let executor = ProcessStepExecutor(agents: BuiltInAgentHost(isolation: isolation))
                let start = ContinuousClock.now
                let summary = try await RunEngine(request: request, store: store, executor: executor).run()
                let elapsed = ContinuousClock.now - start
                guard summary.status == .succeeded else {
                    let failed = summary.nodes.first { $0.value != .succeeded }
                    let attempt = try store.attempts(run: summary.runId).first { $0.nodeId == failed?.key }
                    throw BenchError("the \(isolation) run \(summary.status): \(attempt?.error ?? "?")")
                }
                let perStep =
                    (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 1000
                    / Double(steps)
                if round > 0 { times[isolation, default: []].append(perStep) }
                print(String(format: "round %d %@: %.3f ms per step", round, "\(isolation)", perStep))
            }
        }
        let inProcess = times[.inProcess]!.sorted()
        let child = times[.childProcess]!.sorted()
        func median(_ values: [Double]) -> Double { values[values.count / 2] }
        print("\n| built-ins | steps | rounds | min per step | median per step |")
        print("|---|---:|---:|---:|---:|")
        print(
            String(
                format: "| in-process | %d | %d | %.3f ms | %.3f ms |", steps, rounds, inProcess[0], median(inProcess)))
        print(String(format: "| child process | %d | %d | %.3f ms | %.3f ms |", steps, rounds, child[0], median(child)))
        print(
            String(
                format: "\nadded per agent step: %.3f ms (min), %.3f ms (median); child ÷ in-process %.2fx (min)",
                child[0] - inProcess[0], median(child) - median(inProcess), child[0] / inProcess[0]))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
