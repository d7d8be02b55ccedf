import DevFlowGraph
import DevFlowStore
import Foundation

/// Computes a pipeline's insights from its runs, nodes and attempts (definitions in `docs/analytics.md`).
public struct Insights: Sendable {
    /// The rows insights read, already limited to one pipeline's runs in the window.
    public struct History: Sendable {
        /// The runs, oldest first.
        public var runs: [AnalyticsRun]
        /// Their nodes.
        public var nodes: [AnalyticsNode]
        /// Their attempts.
        public var attempts: [AnalyticsAttempt]
        /// Their findings, counted.
        public var findings: [AnalyticsFindingCount]
        /// The `tokens` outputs of their nodes.
        public var tokens: [AnalyticsOutput]
        /// Breaker transitions in the window.
        public var transitions: [BreakerTransitionRecord]
        /// Graphs by hash.
        public var graphs: [String: ExecutionGraph]

        /// Creates a history.
        public init(
            runs: [AnalyticsRun], nodes: [AnalyticsNode], attempts: [AnalyticsAttempt],
            findings: [AnalyticsFindingCount], tokens: [AnalyticsOutput], transitions: [BreakerTransitionRecord],
            graphs: [String: ExecutionGraph]
        ) {
            self.runs = runs
            self.nodes = nodes
            self.attempts = attempts
            self.findings = findings
            self.tokens = tokens
            self.transitions = transitions
            self.graphs = graphs
        }
    }

    /// Creates a calculator.
    public init() {}

    /// The report of `history` for `pipeline` over `window`; `window.until` is "now" for forecasts.
    public func report(
        pipeline: String, repository: String?, window: AnalyticsWindow, history: History
    ) -> InsightsReport {
        let runs = history.runs.sorted { $0.id < $1.id }
        var counts: [String: Int] = [:]
        for run in runs { counts[run.status.rawValue, default: 0] += 1 }
        let judged = runs.filter { $0.status.isFinished && $0.status != .skipped }
        let succeededRuns = runs.filter { $0.status == .succeeded }
        let newestGraph = runs.last.flatMap { history.graphs[$0.graphHash] }
        let nodesByRun = Dictionary(grouping: history.nodes, by: \.runId)
        let steps = stepInsights(runs: runs, nodesByRun: nodesByRun, order: newestGraph)
        let queueTimes = runs.compactMap(\.queueTime)
        return InsightsReport(
            pipeline: pipeline, repository: repository, window: window, runs: runs.count, statusCounts: counts,
            successRate: judged.isEmpty ? nil : Double(succeededRuns.count) / Double(judged.count),
            queueTime: DurationStats(queueTimes),
            runDuration: DurationStats(succeededRuns.compactMap(\.duration)),
            steps: steps,
            flaky: flaky(runs: runs, nodesByRun: nodesByRun),
            criticalPath: criticalPaths(runs: runs, nodesByRun: nodesByRun, graphs: history.graphs, steps: steps),
            forecast: forecast(
                runs: runs, queueP50: Percentile.of(queueTimes, 50), now: window.until.timeIntervalSince1970),
            agents: AgentPerformanceCalculator(history: history).agents(),
            message: runs.isEmpty
                ? "no run of '\(pipeline)'\(repository.map { " in \($0)" } ?? "") was queued between "
                    + "\(DORA.day(window.since)) and \(DORA.day(window.until))" : nil)
    }

    private func stepInsights(runs: [AnalyticsRun], nodesByRun: [Int64: [AnalyticsNode]], order: ExecutionGraph?)
        -> [StepInsight]
    {
        var byNode: [String: [AnalyticsNode]] = [:]
        for run in runs {
            for node in nodesByRun[run.id] ?? [] where node.status.ran { byNode[node.nodeId, default: []].append(node) }
        }
        let graphOrder = order?.levels.joined().map { $0 } ?? []
        let known = Set(graphOrder)
        let ids = graphOrder.filter { byNode[$0] != nil } + byNode.keys.filter { !known.contains($0) }.sorted()
        return ids.map { id in
            let nodes = byNode[id] ?? []
            let durations = nodes.compactMap(\.duration)
            let succeeded = nodes.filter { $0.status == .succeeded }.count
            var trend: Trend?
            if durations.count >= 4 {
                let half = durations.count / 2
                if let earlier = Percentile.of(Array(durations[..<half]), 50),
                    let recent = Percentile.of(Array(durations[(durations.count - half)...]), 50)
                {
                    trend = Trend(
                        earlierP50: earlier, recentP50: recent, change: earlier > 0 ? recent / earlier - 1 : 0)
                }
            }
            return StepInsight(
                node: id, ran: nodes.count, succeeded: succeeded,
                successRate: nodes.isEmpty ? nil : Double(succeeded) / Double(nodes.count),
                duration: DurationStats(durations), trend: trend, retried: nodes.filter { $0.attempts > 1 }.count)
        }
    }

    private func flaky(runs: [AnalyticsRun], nodesByRun: [Int64: [AnalyticsNode]]) -> [FlakyStep] {
        struct Tally {
            var retried = 0
            var flipped = 0
            var ran = 0
            var runs: [Int64] = []
        }
        var tallies: [String: Tally] = [:]
        var failedOn: [String: Set<String>] = [:]  // node → commits it failed on so far
        var flippedOn: [String: Set<String>] = [:]
        for run in runs {
            for node in nodesByRun[run.id] ?? [] where node.status.ran {
                var tally = tallies[node.nodeId, default: Tally()]
                tally.ran += 1
                if node.status == .succeeded, node.attempts > 1 {
                    tally.retried += 1
                    tally.runs.append(run.id)
                }
                if let commit = run.commit {
                    if node.status == .failed {
                        failedOn[node.nodeId, default: []].insert(commit)
                    } else if failedOn[node.nodeId]?.contains(commit) == true,
                        flippedOn[node.nodeId, default: []].insert(commit).inserted
                    {
                        tally.flipped += 1
                        if tally.runs.last != run.id { tally.runs.append(run.id) }
                    }
                }
                tallies[node.nodeId] = tally
            }
        }
        return tallies.compactMap { id, tally -> FlakyStep? in
            guard tally.retried + tally.flipped > 0 else { return nil }
            return FlakyStep(
                node: id, passedAfterRetry: tally.retried, failedThenPassed: tally.flipped, ran: tally.ran,
                runs: Array(tally.runs.reversed().prefix(10)))
        }.sorted {
            ($1.passedAfterRetry + $1.failedThenPassed, $0.node) < ($0.passedAfterRetry + $0.failedThenPassed, $1.node)
        }
    }

    private func criticalPaths(
        runs: [AnalyticsRun], nodesByRun: [Int64: [AnalyticsNode]], graphs: [String: ExecutionGraph],
        steps: [StepInsight]
    ) -> CriticalPaths {
        var latest: RunCriticalPath?
        if let run = runs.last(where: { $0.status.isFinished && graphs[$0.graphHash] != nil }),
            let graph = graphs[run.graphHash]
        {
            let durations = Dictionary(
                (nodesByRun[run.id] ?? []).compactMap { node in node.duration.map { (node.nodeId, $0) } },
                uniquingKeysWith: { first, _ in first })
            latest = CriticalPath.of(graph, durations: durations).map { RunCriticalPath(run: run.id, path: $0) }
        }
        var typical: CriticalPath?
        if let graph = runs.last.flatMap({ graphs[$0.graphHash] }) {
            let medians = Dictionary(
                steps.compactMap { step in step.duration.map { (step.node, $0.p50) } },
                uniquingKeysWith: { first, _ in first })
            typical = CriticalPath.of(graph, durations: medians)
        }
        return CriticalPaths(latest: latest, typical: typical)
    }

    private func forecast(runs: [AnalyticsRun], queueP50 queue: Double?, now: Double) -> Forecast? {
        let durations = runs.filter { $0.status == .succeeded }.suffix(100).compactMap(\.duration)
        guard let p50 = Percentile.of(durations, 50), let p90 = Percentile.of(durations, 90) else { return nil }
        let pending = runs.filter { $0.status == .queued || $0.status == .running }.map { run -> PendingForecast in
            let start = run.startedAt ?? max(now, run.queuedAt + (queue ?? 0))
            return PendingForecast(
                run: run.id, status: run.status.rawValue, expectedStart: Date(timeIntervalSince1970: start),
                expectedFinish: Date(timeIntervalSince1970: max(now, start + p50)),
                latestFinish: Date(timeIntervalSince1970: max(now, start + p90)))
        }
        return Forecast(
            basedOn: durations.count, p50Seconds: p50, p90Seconds: p90, queueP50Seconds: queue, pending: pending)
    }
}
