import DevFlowAnalytics
import Foundation

/// The query of the DORA page, as typed (shown back in its form).
public struct DORAPageQuery: Sendable {
    /// `repository=`.
    public var repository: String?
    /// `environment=`.
    public var environment: String?
    /// `window=` (`90d`).
    public var window: String
    /// `fix_window=` (`1d`).
    public var fixWindow: String

    /// Creates a query.
    public init(repository: String?, environment: String?, window: String, fixWindow: String) {
        self.repository = repository
        self.environment = environment
        self.window = window
        self.fixWindow = fixWindow
    }
}

extension DashboardPage {
    /// The DORA page: per repository and environment, the four metrics with their level and a weekly chart; the
    /// report's message instead of figures when the window holds no deployment. `error` explains a refused query.
    public static func dora(_ report: DORAReport?, query: DORAPageQuery, error: String? = nil) -> DashboardPage {
        let environments = (report?.environments ?? []).map(environment)
        var model: [String: Any?] = [
            "filters": [
                "repository": query.repository ?? "", "environment": query.environment ?? "", "window": query.window,
                "fixWindow": query.fixWindow,
            ],
            "error": error, "environments": environments, "message": report?.message,
        ]
        if let report {
            model["levelsYear"] = String(report.levelsYear)
            model["levelsSource"] = report.levelsSource
            model["windowText"] =
                "From \(DisplayFormat.text(report.window.since)) to \(DisplayFormat.text(report.window.until))."
        }
        return DashboardPage("dora", title: "DORA", model)
    }

    static func environment(_ metrics: EnvironmentDORA) -> [String: Any] {
        let weeks = metrics.weeks
        func label(_ week: DORAWeek) -> String { String(DisplayFormat.iso(week.start).dropFirst(5).prefix(5)) }
        func day(_ week: DORAWeek) -> String { String(DisplayFormat.iso(week.start).prefix(10)) }
        let frequency = metrics.deploymentFrequency
        var cards: [[String: Any]] = [
            card(
                "deployment_frequency", "Deployment frequency",
                value: String(format: "%.1f a week", frequency.perWeek), level: frequency.level,
                detail: "\(metrics.successful) successful of \(metrics.deployments) deployments, on "
                    + "\(frequency.deploymentDays) days",
                chart: SVGChart.bars(
                    weeks.map { week in
                        .init(
                            label: label(week), value: Double(week.successful),
                            title: "week of \(day(week)): \(week.successful) successful deployments")
                    }, description: "Successful deployments per week", unit: { String(Int($0)) }))
        ]
        if let lead = metrics.leadTime {
            cards.append(
                card(
                    "lead_time", "Lead time for changes", value: DisplayFormat.duration(seconds: lead.medianSeconds),
                    level: lead.level,
                    detail: "median of \(lead.samples); p90 \(DisplayFormat.duration(seconds: lead.p90Seconds))",
                    chart: SVGChart.bars(
                        weeks.map { week in
                            .init(
                                label: label(week), value: week.leadTimeMedianSeconds ?? 0,
                                title: "week of \(day(week)): "
                                    + (week.leadTimeMedianSeconds.map {
                                        "median " + DisplayFormat.duration(seconds: $0)
                                    }
                                        ?? "no successful deployment"))
                        }, description: "Median lead time per week", unit: { DisplayFormat.duration(seconds: $0) })))
        } else {
            cards.append(
                card(
                    "lead_time", "Lead time for changes", value: "unknown", level: nil,
                    detail: "no successful deployment knows its commit time", chart: ""))
        }
        let rate = metrics.changeFailureRate
        cards.append(
            card(
                "change_failure_rate", "Change failure rate", value: DisplayFormat.percent(rate.rate),
                level: rate.level,
                detail: "\(rate.failed) of \(rate.deployments) deployments were failed changes",
                chart: SVGChart.bars(
                    weeks.map { week in
                        .init(
                            label: label(week), value: Double(week.failed),
                            title: "week of \(day(week)): \(week.failed) failed of \(week.deployments)",
                            tone: week.failed > 0 ? "bad" : nil)
                    }, description: "Failed changes per week", unit: { String(Int($0)) })))
        if let recovery = metrics.recoveryTime {
            cards.append(
                card(
                    "recovery_time", "Failed deployment recovery time",
                    value: DisplayFormat.duration(seconds: recovery.medianSeconds), level: recovery.level,
                    detail: "median of \(recovery.samples)"
                        + (recovery.unrecovered > 0 ? "; \(recovery.unrecovered) not recovered yet" : ""),
                    chart: SVGChart.bars(
                        metrics.changeFailures.compactMap { failure in
                            failure.recoverySeconds.map { seconds in
                                .init(
                                    label: "#\(failure.run)", value: seconds,
                                    title:
                                        "run #\(failure.run): recovered after \(DisplayFormat.duration(seconds: seconds))"
                                )
                            }
                        }, description: "Recovery time of each failed change",
                        unit: { DisplayFormat.duration(seconds: $0) })))
        } else {
            cards.append(
                card(
                    "recovery_time", "Failed deployment recovery time", value: "unknown", level: nil,
                    detail: metrics.changeFailures.isEmpty
                        ? "no failed change in the window" : "no failed change has recovered yet",
                    chart: ""))
        }
        let failures = metrics.changeFailures.reversed().map { failure -> [String: Any] in
            var row: [String: Any] = [
                "run": String(failure.run), "node": failure.node, "at": DisplayFormat.iso(failure.at),
                "atText": DisplayFormat.text(failure.at), "reason": DisplayFormat.label(failure.reason.rawValue),
            ]
            if let recovered = failure.recoveredBy {
                row["recoveredBy"] = String(recovered)
                row["recoveryText"] = DisplayFormat.duration(seconds: failure.recoverySeconds ?? 0)
            }
            return row
        }
        let title = [metrics.repository, metrics.environment].compactMap { $0 }.joined(separator: " → ")
        return [
            "title": title, "environment": metrics.environment, "metrics": cards, "failures": Array(failures),
            "hasFailures": !failures.isEmpty, "failureCount": String(failures.count), "notes": metrics.notes,
        ]
    }

    static func card(_ key: String, _ name: String, value: String, level: String?, detail: String, chart: String)
        -> [String: Any]
    {
        var card: [String: Any] = ["key": key, "name": name, "value": value, "detail": detail, "chart": chart]
        if let level {
            card["level"] = level.prefix(1).uppercased() + level.dropFirst()
            card["levelClass"] = level
        }
        return card
    }
}
