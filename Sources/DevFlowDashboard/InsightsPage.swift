import DevFlowAnalytics
import Foundation

/// The query of the insights page, as typed.
public struct InsightsPageQuery: Sendable {
    /// `pipeline=`.
    public var pipeline: String?
    /// `repository=`.
    public var repository: String?
    /// `window=` (`30d`).
    public var window: String

    /// Creates a query.
    public init(pipeline: String?, repository: String?, window: String) {
        self.pipeline = pipeline
        self.repository = repository
        self.window = window
    }
}

extension DashboardPage {
    /// The insights of one pipeline: success rate, queue time and duration, steps (p50/p95/max, trend, retries, a
    /// chart of their p95), flaky steps, critical path, forecast and agents. `pipelines` fills the picker.
    public static func insights(
        _ report: InsightsReport?, pipelines: [String], query: InsightsPageQuery, error: String? = nil
    ) -> DashboardPage {
        let picker = pipelines.map { name -> [String: Any] in ["name": name, "selected": name == query.pipeline] }
        return DashboardPage(
            "insights", title: "Insights",
            [
                "pipeline": query.pipeline, "pipelines": picker, "error": error, "report": report.map(model),
                "filters": ["repository": query.repository ?? "", "window": query.window],
            ])
    }

    static func model(_ report: InsightsReport) -> [String: Any] {
        func seconds(_ value: Double?) -> String { value.map { DisplayFormat.duration(seconds: $0) } ?? "–" }
        let summary: [[String: Any]] = [
            [
                "key": "success_rate", "name": "Success rate", "value": DisplayFormat.percent(report.successRate),
                "detail": report.statusCounts.sorted { $0.key < $1.key }.map {
                    "\($0.value) \(DisplayFormat.label($0.key))"
                }
                .joined(separator: ", "), "chart": "",
            ],
            [
                "key": "run_duration", "name": "Run duration", "value": seconds(report.runDuration?.p50),
                "detail": report.runDuration.map {
                    "p95 \(seconds($0.p95)), max \(seconds($0.max)) over \($0.samples) runs"
                }
                    ?? "no finished run", "chart": "",
            ],
            [
                "key": "queue_time", "name": "Queue time", "value": seconds(report.queueTime?.p50),
                "detail": report.queueTime.map { "p95 \(seconds($0.p95)), max \(seconds($0.max))" } ?? "no started run",
                "chart": "",
            ],
        ]
        let steps = report.steps.map { step -> [String: Any] in
            let trend = step.trend.map { trend -> (String, String) in
                let percent = Int((trend.change * 100).rounded())
                return (
                    percent > 0 ? "+\(percent)%" : "\(percent)%",
                    percent > 10 ? "slower" : percent < -10 ? "faster" : "flat"
                )
            }
            return [
                "node": step.node, "ran": String(step.ran), "success": DisplayFormat.percent(step.successRate),
                "p50": seconds(step.duration?.p50), "p95": seconds(step.duration?.p95),
                "max": seconds(step.duration?.max),
                "trend": trend?.0 ?? "–", "trendClass": trend?.1 ?? "flat", "retried": String(step.retried),
            ]
        }
        let slowest = report.steps.filter { $0.duration != nil }.sorted {
            ($0.duration?.p95 ?? 0) > ($1.duration?.p95 ?? 0)
        }
        .prefix(20)
        let stepChart = SVGChart.bars(
            slowest.map { step in
                .init(
                    label: String(step.node.prefix(10)), value: step.duration?.p95 ?? 0,
                    title: "\(step.node): p95 \(seconds(step.duration?.p95))")
            }, description: "p95 duration of the slowest steps", unit: { DisplayFormat.duration(seconds: $0) })
        let flaky = report.flaky.map { step -> [String: Any] in
            [
                "node": step.node, "passedAfterRetry": String(step.passedAfterRetry),
                "failedThenPassed": String(step.failedThenPassed), "ran": String(step.ran),
                "runs": step.runs.prefix(10).map(String.init), "hasRuns": !step.runs.isEmpty,
            ]
        }
        var critical: String?
        if let latest = report.criticalPath.latest {
            critical =
                "Run #\(latest.run): \(latest.path.nodes.joined(separator: " → ")) (\(seconds(latest.path.seconds)))"
        }
        if let typical = report.criticalPath.typical {
            critical =
                (critical.map { $0 + ". " } ?? "")
                + "Typical: \(typical.nodes.joined(separator: " → ")) (\(seconds(typical.seconds)))"
        }
        var model: [String: Any] = [
            "summary": summary, "steps": steps, "hasSteps": !steps.isEmpty, "stepChart": stepChart, "flaky": flaky,
            "hasFlaky": !flaky.isEmpty, "agents": report.agents.map(agent), "hasAgents": !report.agents.isEmpty,
        ]
        if let critical { model["criticalPath"] = critical }
        if let message = report.message { model["message"] = message }
        if let forecast = report.forecast {
            model["hasForecast"] = true
            model["forecast"] =
                "A run takes \(seconds(forecast.p50Seconds)) (p90 \(seconds(forecast.p90Seconds))), "
                + "from the last \(forecast.basedOn) succeeded runs"
                + (forecast.queueP50Seconds.map { "; it waits \(seconds($0)) in the queue first" } ?? "") + "."
            model["pending"] = forecast.pending.map { pending -> [String: Any] in
                [
                    "run": String(pending.run), "status": DisplayFormat.label(pending.status),
                    "finish": DisplayFormat.iso(pending.expectedFinish),
                    "finishText": DisplayFormat.text(pending.expectedFinish),
                    "latest": DisplayFormat.iso(pending.latestFinish),
                    "latestText": DisplayFormat.text(pending.latestFinish),
                ]
            }
        }
        return model
    }

    static func agent(_ agent: AgentPerformance) -> [String: Any] {
        func seconds(_ value: Double?) -> String { value.map { DisplayFormat.duration(seconds: $0) } ?? "–" }
        func counts(_ values: [String: Int]) -> String {
            values.isEmpty
                ? "–" : values.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        var tokens = "–"
        if let use = agent.tokens {
            tokens = "\(use.spent) spent; \(use.perStepP50) a step (max \(use.perStepMax))"
            if let budget = use.budgetPerStep { tokens += " of \(budget) a step" }
            if use.atBudget > 0 { tokens += "; \(use.atBudget) at the budget" }
        }
        return [
            "agent": agent.agent, "calls": String(agent.calls), "p50": seconds(agent.duration?.p50),
            "p95": seconds(agent.duration?.p95), "outcomes": counts(agent.outcomes), "findings": counts(agent.findings),
            "errors": agent.errors.isEmpty
                ? "–"
                : agent.errors.prefix(3).map { "\($0.count)× \($0.message)" }
                    .joined(separator: "; "), "breakerTrips": String(agent.breakerTrips), "tokens": tokens,
        ]
    }
}
