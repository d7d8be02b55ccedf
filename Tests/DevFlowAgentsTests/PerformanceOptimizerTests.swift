import DevFlowAgents
import DevFlowGraph
import Foundation
import Testing

/// `performance-optimizer` on a recorded history: slowest, flakiest, critical path, cacheable steps, benchmarks.
@Suite("performance-optimizer")
struct PerformanceOptimizerTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let noRetry = RetryPolicy(
        name: nil, attempts: 1,
        backoff: .init(initialMilliseconds: 0, factor: 1, maximumMilliseconds: 0, jitter: "none"), retryOn: [],
        deadlineMilliseconds: nil)

    static func node(_ id: String, needs: [String] = [], script: String? = nil, inputs: [String] = []) -> Node {
        Node(
            id: id, step: id, name: nil, matrix: [:], action: .hook(script: script ?? "make \(id)", shell: "bash"),
            needs: needs, condition: "success()", env: [:], workingDirectory: nil, timeoutMilliseconds: 60_000,
            retry: Self.noRetry, circuitBreaker: nil, continueOnError: false, inputs: inputs, outputs: [], paths: [],
            deployment: nil, level: 0)
    }

    /// a → (b, c) → d; `c` is slow, `b` needed a retry in 3 of 5 runs, `a` always ran the same command.
    static func history(runs count: Int = 5, benchmarks: String? = nil) -> (ExecutionGraph, PipelineHistory) {
        let nodes = [
            node("a"), node("b", needs: ["a"]), node("c", needs: ["a"]),
            node("d", needs: ["b", "c"], inputs: ["x/**"]),
            Node(
                id: "perf", step: "perf", name: nil, matrix: [:],
                action: .agent(agent: "perf", uses: "performance-optimizer", command: nil, with: [:]), needs: [],
                condition: "success()", env: [:], workingDirectory: nil, timeoutMilliseconds: 60_000,
                retry: Self.noRetry, circuitBreaker: nil, continueOnError: false, inputs: [], outputs: [], paths: [],
                deployment: nil, level: 0),
        ]
        let graph = ExecutionGraph(
            name: "ci", triggers: Triggers(), env: [:], secrets: [], concurrencyGroup: nil, cancelInProgress: false,
            nodes: nodes, levels: [["a", "perf"], ["b", "c"], ["d"]],
            sourceMap: Dictionary(
                uniqueKeysWithValues: nodes.enumerated().map { index, node in
                    (
                        node.id,
                        SourceLocation(
                            file: ".devflow.yml", line: 10 + index * 3, column: 3, endLine: 10 + index * 3,
                            endColumn: 20)
                    )
                }))
        var runs: [PipelineHistory.Run] = []
        for index in 0..<count {
            let base = start.addingTimeInterval(Double(index) * 1000)
            func ran(_ id: String, from: Double, seconds: Double, attempts: Int = 1, outputs: [String: String] = [:])
                -> PipelineHistory.Node
            {
                PipelineHistory.Node(
                    id: id, status: "succeeded", attempts: attempts, startedAt: base.addingTimeInterval(from),
                    finishedAt: base.addingTimeInterval(from + seconds), outputs: outputs)
            }
            // Serially with set-up around it: a 2, b 1, c 6, d 1 in a 14 s run; the critical path a-c-d is 9 s.
            var nodes = [
                ran("a", from: 0, seconds: 2), ran("b", from: 2, seconds: 1, attempts: index < 3 ? 2 : 1),
                ran("c", from: 3, seconds: 6), ran("d", from: 9, seconds: 1),
            ]
            if let benchmarks { nodes.append(ran("perf", from: 10, seconds: 0, outputs: ["benchmarks": benchmarks])) }
            runs.append(
                PipelineHistory.Run(
                    id: Int64(count - index), status: "succeeded", commit: "c\(index)", startedAt: base,
                    finishedAt: base.addingTimeInterval(14), graph: graph, nodes: nodes))
        }
        return (graph, PipelineHistory(runs: runs))
    }

    static func request(
        _ inputs: [String: JSONValue], history: PipelineHistory, graph: ExecutionGraph, workspace: String = "/"
    )
        -> AgentRequest
    {
        AgentRequest(
            inputs: inputs, workspace: workspace, changes: { AgentScope(files: [], skipped: []) },
            history: { history }, graph: graph, node: "perf")
    }

    @Test("slowest, flakiest, critical path, parallelism and cacheable steps from history")
    func history() throws {
        let (graph, history) = Self.history()
        let result = try BuiltInAgents.run(
            "performance-optimizer", request: Self.request(["slow_top": .number(2)], history: history, graph: graph))
        #expect(
            summary(result.findings) == [
                ".devflow.yml:10 cacheable-step", ".devflow.yml:10 parallelism", ".devflow.yml:10 slow-step",
                ".devflow.yml:13 cacheable-step", ".devflow.yml:13 flaky-step", ".devflow.yml:16 cacheable-step",
                ".devflow.yml:16 slow-step",
            ])
        #expect(result.outputs["slowest"] == "c,a")
        #expect(result.outputs["critical_path"] == "a,c,d")
        #expect(result.outputs["critical_path_seconds"] == "9.00")
        #expect(
            result.findings.contains { $0.message.contains("passed only after a retry in 3 of its last 5 runs (60%)") })
        #expect(result.status == "success")
        #expect(result.findings.contains { $0.message.contains("could save up to 5.00 s") })
        // d declares inputs: already skipped when up to date, so not suggested.
        #expect(!result.findings.contains { $0.rule == "cacheable-step" && $0.message.hasPrefix("d ") })
    }

    @Test("too little history: a note, no findings")
    func empty() throws {
        let (graph, _) = Self.history()
        let result = try BuiltInAgents.run(
            "performance-optimizer", request: Self.request([:], history: PipelineHistory(runs: []), graph: graph))
        #expect(result.findings.isEmpty && result.summary.contains("no finished runs of this pipeline"))
    }

    @Test("benchmark gate: hyperfine, Google Benchmark and pytest-benchmark against the last successful run")
    func benchmarks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("perf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try
            #"{"results": [{"command": "./app --fast", "mean": 0.130, "stddev": 0.01}, {"command": "./app --slow", "mean": 1.0}]}"#
            .write(to: directory.appendingPathComponent("hyperfine.json"), atomically: true, encoding: .utf8)
        try """
        {"context": {"library_build_type": "release"}, "benchmarks": [
          {"name": "BM_Parse/mean", "run_name": "BM_Parse", "run_type": "aggregate", "aggregate_name": "mean", "real_time": 2000, "time_unit": "us"},
          {"name": "BM_Parse/stddev", "run_name": "BM_Parse", "run_type": "aggregate", "aggregate_name": "stddev", "real_time": 5, "time_unit": "us"}
        ]}
        """.write(to: directory.appendingPathComponent("google.json"), atomically: true, encoding: .utf8)
        try
            #"{"machine_info": {}, "benchmarks": [{"name": "test_sort", "fullname": "tests/test_x.py::test_sort", "stats": {"mean": 0.5}}]}"#
            .write(to: directory.appendingPathComponent("pytest.json"), atomically: true, encoding: .utf8)
        let previous =
            #"{"./app --fast": 0.100, "./app --slow": 1.2, "BM_Parse": 0.00199, "tests/test_x.py::test_sort": 0.4}"#
        let (graph, history) = Self.history(benchmarks: previous)
        let result = try BuiltInAgents.run(
            "performance-optimizer",
            request: Self.request(
                ["benchmarks": .array(["hyperfine.json", "google.json", "pytest.json"]), "threshold": "15%"],
                history: history, graph: graph, workspace: directory.path))
        let regressions = result.findings.filter { $0.rule == "benchmark-regression" }
        #expect(
            summary(regressions) == ["hyperfine.json:1 benchmark-regression", "pytest.json:1 benchmark-regression"])
        #expect(regressions[0].message.hasPrefix("./app --fast regressed by 30%"))
        #expect(result.status == "failure")
        #expect(result.summary.contains("./app --slow improved by 17%"))
        let recorded = try JSONDecoder().decode([String: Double].self, from: Data(result.outputs["benchmarks"]!.utf8))
        #expect(recorded["BM_Parse"] == 0.002 && recorded.count == 4)
        // No earlier results: this run sets the baseline and nothing regresses.
        let (_, bare) = Self.history()
        let first = try BuiltInAgents.run(
            "performance-optimizer",
            request: Self.request(
                ["benchmarks": "hyperfine.json"], history: bare, graph: graph, workspace: directory.path))
        #expect(first.status == "success" && first.summary.contains("this run sets the baseline"))
        #expect {
            try BuiltInAgents.run(
                "performance-optimizer",
                request: Self.request(
                    ["benchmarks": "missing.json"], history: bare, graph: graph, workspace: directory.path))
        } throws: { "\($0)".contains("cannot read the benchmark results file 'missing.json'") }
    }
}
