import DevFlowGraph
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

@testable import DevFlowAnalytics

/// DORA and insights read through SQLite: runs written with the store's own protocol, figures checked by hand.
@Suite struct StoreAnalyticsTests {
    static let start = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z

    static func node(_ id: String, needs: [String], action: NodeAction, deployment: String? = nil) -> Node {
        Node(
            id: id, step: id, name: nil, matrix: [:], action: action, needs: needs, condition: "success()", env: [:],
            workingDirectory: nil, timeoutMilliseconds: 60_000, retry: .none, circuitBreaker: nil,
            continueOnError: false, inputs: [], outputs: [], paths: [], deployment: deployment, level: needs.count)
    }

    /// build → review (llm agent) → deploy (to production).
    static let graph = ExecutionGraph(
        name: "ci", triggers: Triggers(push: .init()), env: [:], secrets: [], concurrencyGroup: nil,
        cancelInProgress: false,
        nodes: [
            node("build", needs: [], action: .hook(script: "make", shell: "bash")),
            node(
                "review", needs: ["build"],
                action: .agent(
                    agent: "reviewer", uses: "llm", command: nil, with: ["max_tokens_per_step": .number(1_000)])),
            node("deploy", needs: ["review"], action: .hook(script: "ship", shell: "bash"), deployment: "production"),
        ],
        levels: [["build"], ["review"], ["deploy"]], sourceMap: nil)

    /// One run: `durations` in seconds per node, in order; a node listed in `failing` fails on its first attempt and
    /// (when `retried`) passes on the second.
    static func record(
        _ store: any ServerStore, day: Double, commit: String, durations: [Double], deployFails: Bool = false,
        retried: Bool = false, tokens: Int = 400
    ) throws -> Int64 {
        let queued = start.addingTimeInterval(day * 86_400)
        let begin = queued.addingTimeInterval(30)
        let json = String(decoding: graph.canonicalJSON(), as: UTF8.self)
        let run = try store.startRun(
            RunRecord(
                id: nil, pipeline: "ci", file: ".devflow.yml", graphHash: graph.contentHash, graphJSON: json,
                event: #"{"kind":"push"}"#, gitCommit: commit, gitBranch: "main",
                gitAuthorTime: queued.addingTimeInterval(-3_600), status: .running, queuedAt: queued,
                startedAt: begin, finishedAt: nil, pid: getpid(), host: "test", heartbeatAt: begin, resumedFrom: nil,
                repository: "acme/shop"),
            nodes: graph.nodes.map(\.id))
        let id = try #require(run.id)
        var clock = begin
        for (node, seconds) in zip(graph.nodes.map(\.id), durations) {
            let fails = node == "deploy" && deployFails
            let attempts = node == "build" && retried ? 2 : 1
            for number in 1...attempts {
                let failed = fails || (attempts == 2 && number == 1)
                try store.recordAttempt(
                    AttemptRecord(
                        id: nil, runId: id, nodeId: node, number: number, status: failed ? .failed : .succeeded,
                        exitCode: failed ? 1 : 0, signal: nil, startedAt: clock,
                        finishedAt: clock.addingTimeInterval(seconds / Double(attempts)),
                        durationMs: Int(seconds * 1_000) / attempts, retryReason: nil, error: nil))
            }
            let finished = clock.addingTimeInterval(seconds)
            try store.finishNode(
                NodeRecord(
                    runId: id, nodeId: node, status: fails ? .failed : .succeeded, reason: nil, attempts: attempts,
                    startedAt: clock, finishedAt: finished, fingerprint: nil, allowedFailure: false),
                outputs: node == "review" ? ["tokens": String(tokens)] : [:])
            clock = finished
        }
        try store.finishRun(run: id, status: deployFails ? .failed : .succeeded, at: clock)
        return id
    }

    @Test func doraAndInsightsReadTheStore() throws {
        let store = try TestStore.open()
        _ = try Self.record(store, day: 1, commit: "a1", durations: [60, 20, 10])
        _ = try Self.record(store, day: 2, commit: "a2", durations: [80, 30, 10], retried: true)
        let failed = try Self.record(store, day: 3, commit: "a3", durations: [70, 25, 5], deployFails: true)
        let fixed = try Self.record(store, day: 3.5, commit: "a3", durations: [90, 40, 10], tokens: 1_000)
        let window = AnalyticsWindow(since: Self.start, until: Self.start.addingTimeInterval(7 * 86_400))
        let analytics = Analytics(source: store)

        let dora = try analytics.dora(window: window)
        let production = try #require(dora.environments.first)
        #expect(dora.environments.count == 1)
        #expect(production.repository == "acme/shop")
        #expect(production.deployments == 4)
        #expect(production.successful == 3)
        #expect(production.changeFailures.map(\.run) == [failed])
        #expect(production.changeFailures.first?.recoveredBy == fixed)
        // A deploy finishes 30 s + the three durations after queueing, an hour after the commit: 3,720, 3,750, 3,770 s.
        let leads = try #require(production.leadTime)
        #expect(leads.samples == 3)
        #expect(abs(leads.medianSeconds - (3_600 + 30 + 120)) < 0.01)

        let insights = try analytics.insights(pipeline: "ci", window: window)
        #expect(insights.runs == 4)
        #expect(insights.successRate == 0.75)
        #expect(insights.steps.map(\.node) == ["build", "review", "deploy"])
        let build = try #require(insights.steps.first)
        #expect(build.duration?.p50 == 70)
        #expect(build.duration?.max == 90)
        #expect(build.retried == 1)
        #expect(build.trend?.earlierP50 == 60)
        #expect(build.trend?.recentP50 == 70)
        // deploy failed on a3 and passed on a3 in the next run; build passed only after a retry in run 2.
        #expect(Set(insights.flaky.map(\.node)) == ["build", "deploy"])
        #expect(insights.flaky.first { $0.node == "deploy" }?.failedThenPassed == 1)
        #expect(insights.criticalPath.latest?.run == fixed)
        #expect(insights.criticalPath.latest?.path.nodes == ["build", "review", "deploy"])
        #expect(insights.criticalPath.latest.map { abs($0.path.seconds - 140) < 0.01 } == true)
        #expect(insights.queueTime?.p50 == 30)
        let forecast = try #require(insights.forecast)
        #expect(forecast.basedOn == 3)
        let reviewer = try #require(insights.agents.first)
        #expect(reviewer.agent == "reviewer")
        #expect(reviewer.calls == 4)
        #expect(reviewer.tokens?.spent == 2_200)
        #expect(reviewer.tokens?.budgetPerStep == 1_000)
        #expect(reviewer.tokens?.atBudget == 1)
        let text = AnalyticsText.render(insights)
        #expect(text.contains("critical path"))
        #expect(text.contains("reviewer (llm): 4 calls"))
    }

    @Test func anUnknownPipelineSaysSo() throws {
        let store = try TestStore.open()
        let window = AnalyticsWindow(since: Self.start, until: Self.start.addingTimeInterval(86_400))
        let report = try Analytics(source: store).insights(pipeline: "nope", window: window)
        #expect(report.runs == 0)
        #expect(report.message?.contains("no run of 'nope'") == true)
        #expect(report.forecast == nil)
    }
}
