import DevFlowGraph
import Foundation

/// `performance-optimizer`: what the run history of this pipeline says about its speed, and a benchmark gate.
///
/// From the last `history` runs (default 20): the slowest steps (`slow-step`, median duration), the flakiest
/// (`flaky-step`: passed only after a retry in at least `flaky_rate` of their runs), the critical path of the
/// graph and what more parallelism would save (`parallelism`), and hook steps without `inputs:` whose command and
/// environment were the same in every run (`cacheable-step`: declaring `inputs:` lets them be skipped when up to
/// date). With `benchmarks: [results files]`, each benchmark is compared with the same step's last successful run
/// and one slower by more than `threshold` (default 10%) is a `benchmark-regression` (high: fails the step).
enum PerformanceOptimizer {
    static func run(_ request: AgentRequest) throws -> BuiltInAgentResult {
        let failOn = try request.failOn(default: .high)
        let limit = Int(try request.number("history", default: 20))
        let slowTop = Int(try request.number("slow_top", default: 3))
        let slowMinimum = try request.number("slow_min_seconds", default: 1)
        let flakyRate = try request.number("flaky_rate", default: 0.2)
        let threshold = try request.number("threshold", default: 0.1)
        let history = try request.history()
        let runs = Array(history.runs.prefix(max(0, limit)))
        let graph = request.graph ?? runs.first?.graph
        var findings: [Finding] = []
        var notes: [String] = []
        var outputs: [String: String] = ["runs": String(runs.count)]
        func anchor(_ node: String) -> (file: String, line: Int) {
            if let location = request.graph?.sourceMap?[node] { return (location.file, location.line) }
            return (request.graph?.sourceMap?.values.first?.file ?? ".devflow.yml", 1)
        }
        func add(_ rule: String, _ severity: Finding.Severity, node: String, _ message: String) {
            let (file, line) = anchor(node)
            findings.append(
                Finding(
                    rule: rule, severity: severity, file: file, line: line, column: 1, endLine: line, endColumn: 1,
                    message: message))
        }
        // Durations per node, newest first.
        var durations: [String: [Double]] = [:]
        var retried: [String: Int] = [:]
        var ran: [String: Int] = [:]
        for run in runs {
            for node in run.nodes where node.id != request.node {
                if let duration = node.duration { durations[node.id, default: []].append(duration) }
                if node.status == "succeeded" || node.status == "failed" { ran[node.id, default: 0] += 1 }
                if node.status == "succeeded" && node.attempts > 1 { retried[node.id, default: 0] += 1 }
            }
        }
        let medians = durations.mapValues(median)
        if runs.isEmpty {
            notes.append("no finished runs of this pipeline in the store yet: nothing to learn from history")
        }
        // Slowest steps.
        let slowest = medians.filter { $0.value >= slowMinimum }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .prefix(max(0, slowTop))
        for (node, seconds) in slowest {
            add(
                "slow-step", .low, node: node,
                "\(node) is among the slowest steps: median \(format(seconds)) over \(durations[node]!.count) run\(durations[node]!.count == 1 ? "" : "s")"
            )
        }
        outputs["slowest"] = slowest.map(\.key).joined(separator: ",")
        // Flakiest steps.
        for (node, count) in retried.sorted(by: { $0.key < $1.key }) {
            let rate = Double(count) / Double(max(1, ran[node] ?? 1))
            guard rate >= flakyRate else { continue }
            add(
                "flaky-step", .medium, node: node,
                "\(node) passed only after a retry in \(count) of its last \(ran[node] ?? 0) runs (\(Int((rate * 100).rounded()))%); find the cause instead of relying on retries"
            )
        }
        // Critical path and parallelism.
        if let graph, let last = runs.first, let wall = last.duration, !medians.isEmpty {
            let (path, length) = graph.criticalPath(durations: medians)
            let serial = graph.nodes.reduce(0) { $0 + (medians[$1.id] ?? 0) }
            outputs["critical_path"] = path.joined(separator: ",")
            outputs["critical_path_seconds"] = format(length, unit: false)
            notes.append(
                "critical path \(path.joined(separator: " → ")): \(format(length)); steps one after another: \(format(serial)); last run: \(format(wall))"
            )
            let saving = wall - length
            if saving >= 1, saving >= 0.2 * wall, let first = path.first {
                add(
                    "parallelism", .low, node: first,
                    "the last run took \(format(wall)) but its critical path needs \(format(length)): running independent steps in parallel (-j) could save up to \(format(saving))"
                )
            }
        }
        // Steps that always see the same command and environment.
        if runs.count >= 3, let graph {
            for node in graph.nodes where node.inputs.isEmpty && node.id != request.node {
                guard case .hook = node.action else { continue }
                let seen = runs.compactMap { run in run.graph?.nodes.first { $0.id == node.id } }
                let succeeded = runs.filter { run in run.nodes.contains { $0.id == node.id && $0.status == "succeeded" }
                }
                guard seen.count == runs.count, succeeded.count == runs.count,
                    seen.allSatisfy({ $0.action == node.action && $0.env == node.env })
                else { continue }
                add(
                    "cacheable-step", .low, node: node.id,
                    "\(node.id) ran the same command and environment in all \(runs.count) recent runs (median \(format(medians[node.id] ?? 0))); declare inputs: so it is skipped when they have not changed"
                )
            }
        }
        // Benchmark gate.
        if let files = request.strings("benchmarks"), !files.isEmpty {
            let previous = runs.first { $0.status == "succeeded" }?.nodes.first { $0.id == request.node }?
                .outputs["benchmarks"].flatMap { try? JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) }
            var current: [String: Double] = [:]
            for file in files {
                guard let data = FileManager.default.contents(atPath: request.absolute(file)) else {
                    throw BuiltInAgentError("cannot read the benchmark results file '\(file)'")
                }
                let (kind, seconds) = try BenchmarkResults.read(data, path: file)
                notes.append("\(file): \(seconds.count) \(kind) benchmark\(seconds.count == 1 ? "" : "s")")
                for (name, value) in seconds.sorted(by: { $0.key < $1.key }) {
                    current[name] = value
                    guard let before = previous?[name], before > 0 else { continue }
                    let change = value / before - 1
                    if change > threshold {
                        let line = BenchmarkResults.line(of: name, in: data)
                        findings.append(
                            Finding(
                                rule: "benchmark-regression", severity: .high, file: file, line: line, column: 1,
                                endLine: line, endColumn: 1,
                                message:
                                    "\(name) regressed by \(Int((change * 100).rounded()))%: \(format(value)) against \(format(before)) in the last successful run (threshold \(Int((threshold * 100).rounded()))%)"
                            ))
                    } else if change < -threshold {
                        notes.append("\(name) improved by \(Int((-change * 100).rounded()))%")
                    }
                }
            }
            if previous == nil {
                notes.append("no earlier successful run with benchmark results: this run sets the baseline")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            outputs["benchmarks"] = String(decoding: (try? encoder.encode(current)) ?? Data("{}".utf8), as: UTF8.self)
        }
        return .judged(
            agent: "performance-optimizer", findings: findings, failOn: failOn,
            checked: "\(runs.count) run\(runs.count == 1 ? "" : "s") of history", notes: notes, outputs: outputs)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ seconds: Double, unit: Bool = true) -> String {
        let text = seconds >= 10 ? String(format: "%.1f", seconds) : String(format: "%.2f", seconds)
        return unit ? "\(text) s" : text
    }
}
