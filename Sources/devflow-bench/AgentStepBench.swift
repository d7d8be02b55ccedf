import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import Foundation

/// `devflow-bench agents N [--rounds R]`: the cost of running built-in agents in a child process. A pipeline of N
/// security-guardian steps (`scope: all` on a workspace of one small file, -j 1) runs through RunEngine with
/// built-ins in-process, in child processes forked by the fork server and in child processes executed per call
/// (`DEVFLOW_AGENT_EXECUTABLE`, or the devflow next to this binary), interleaved round by round; prints each round,
/// the minimum and median per step, what each adds to in-process, and the forked ÷ executed ratio.
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

        let modes: [(name: String, isolation: BuiltInAgentIsolation)] = [
            ("in-process", .inProcess), ("forked by the fork server", .childProcess),
            ("executed per call", .executedChild),
        ]
        var times: [String: [Double]] = [:]
        for round in 0...rounds {  // round 0 warms up and is not counted
            for (index, mode) in modes.enumerated() {
                let database = PathName.join(scratch, "r\(round)-\(index).sqlite")
                let store = try SQLiteRunStore(path: database)
                let request = RunRequest(
                    graph: graph, file: "agent-bench.yml", event: PlanEvent(kind: "manual"), workspace: workspace,
                    jobs: 1, environment: environment)
                let executor = ProcessStepExecutor(agents: BuiltInAgentHost(isolation: mode.isolation))
                let start = ContinuousClock.now
                let summary = try await RunEngine(request: request, store: store, executor: executor).run()
                let elapsed = ContinuousClock.now - start
                guard summary.status == .succeeded else {
                    let failed = summary.nodes.first { $0.value != .succeeded }
                    let attempt = try store.attempts(run: summary.runId).first { $0.nodeId == failed?.key }
                    throw BenchError("the \(mode.name) run \(summary.status): \(attempt?.error ?? "?")")
                }
                let perStep =
                    (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 1000
                    / Double(steps)
                if round > 0 { times[mode.name, default: []].append(perStep) }
                print(String(format: "round %d %@: %.3f ms per step", round, mode.name, perStep))
            }
        }
        func median(_ values: [Double]) -> Double { values[values.count / 2] }
        let sorted = times.mapValues { $0.sorted() }
        print("\n| built-ins | steps | rounds | min per step | median per step | added per step (min) |")
        print("|---|---:|---:|---:|---:|---:|")
        let base = sorted[modes[0].name] ?? [0]
        for mode in modes {
            let values = sorted[mode.name] ?? [0]
            print(
                String(
                    format: "| %@ | %d | %d | %.3f ms | %.3f ms | %.3f ms |", mode.name, steps, rounds, values[0],
                    median(values), values[0] - base[0]))
        }
        let forked = sorted[modes[1].name] ?? [0]
        let executed = sorted[modes[2].name] ?? [0]
        print(
            String(
                format: "\nforked ÷ executed per step: %.3fx (min), %.3fx (median)", forked[0] / executed[0],
                median(forked) / median(executed)))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
