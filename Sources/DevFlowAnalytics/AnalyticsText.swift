import DevFlowStore
import Foundation

/// The text the CLI prints for reports: aligned, one fact per line, times in UTC.
public enum AnalyticsText {
    /// `1d 2h`, `3h 12m`, `4m 5s`, `850ms`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1_000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        let (days, hours, minutes, secs) = (total / 86_400, total % 86_400 / 3_600, total % 3_600 / 60, total % 60)
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        return secs > 0 ? "\(minutes)m \(secs)s" : "\(minutes)m"
    }

    /// `8.3%`.
    public static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    /// How many failed changes the text of a DORA report lists per environment.
    static let failedChangesShown = 25

    /// `2026-11-01 10:22`.
    static func minute(_ date: Date) -> String {
        // The store's own UTC formatter: an ISO8601DateFormatter per call cost 0.4 s over 2,000 failed changes.
        let text = StoredDate.iso8601(date)
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    static func row(_ label: String, _ value: String, _ level: String? = nil) -> String {
        let padded = label.padding(toLength: 24, withPad: " ", startingAt: 0)
        guard let level else { return "  \(padded)\(value)\n" }
        let value = value.count < 56 ? value.padding(toLength: 56, withPad: " ", startingAt: 0) : value + "  "
        return "  \(padded)\(value)\(level)\n"
    }

    /// The text of a DORA report.
    public static func render(_ report: DORAReport) -> String {
        var text =
            "DORA, \(DORA.day(report.window.since)) to \(DORA.day(report.window.until)) "
            + "(\(Int(report.window.days.rounded())) days); levels of the \(report.levelsYear) State of DevOps report\n"
        if let message = report.message { return text + "\n" + message + "\n" }
        for environment in report.environments {
            text += "\n\(environment.repository ?? "local runs") · \(environment.environment)\n"
            let frequency = environment.deploymentFrequency
            text += row(
                "deployment frequency",
                String(
                    format: "%.2f a week (%.2f a day), on %d days", frequency.perWeek, frequency.perDay,
                    frequency.deploymentDays), frequency.level)
            if let lead = environment.leadTime {
                text += row(
                    "lead time for changes",
                    "median \(duration(lead.medianSeconds)), p90 \(duration(lead.p90Seconds)) "
                        + "(\(lead.samples) deployments)", lead.level)
            } else {
                text += row("lead time for changes", "unknown: no successful deployment with a commit time")
            }
            let rate = environment.changeFailureRate
            text += row(
                "change failure rate", "\(percent(rate.rate)) (\(rate.failed) of \(rate.deployments) deployments)",
                rate.level)
            if let recovery = environment.recoveryTime {
                text += row(
                    "recovery time",
                    "median \(duration(recovery.medianSeconds)) (\(recovery.samples) recovered, "
                        + "\(recovery.unrecovered) not yet)", recovery.level)
            } else {
                text += row(
                    "recovery time", rate.failed == 0 ? "no failed change in the window" : "unknown: none recovered yet"
                )
            }
            if !environment.changeFailures.isEmpty {
                // The newest ones: a year of history can hold thousands, and the JSON lists every one.
                let shown = environment.changeFailures.suffix(Self.failedChangesShown)
                let hidden = environment.changeFailures.count - shown.count
                text +=
                    hidden > 0
                    ? "  failed changes (the newest \(shown.count); --format json lists all \(environment.changeFailures.count)):\n"
                    : "  failed changes:\n"
                for failure in shown {
                    var line = "    run \(failure.run) \(failure.node)  \(minute(failure.at))  "
                    line += failure.reason.rawValue.replacingOccurrences(of: "_", with: " ")
                    if let markedBy = failure.markedBy { line += " by run \(markedBy)" }
                    if let run = failure.recoveredBy, let seconds = failure.recoverySeconds {
                        line += ", recovered by run \(run) after \(duration(seconds))"
                    } else {
                        line += ", not recovered yet"
                    }
                    text += line + "\n"
                }
            }
            for note in environment.notes { text += "  note: \(note)\n" }
        }
        return text
    }

    /// The text of an insights report.
    public static func render(_ report: InsightsReport) -> String {
        var text =
            "Insights for \(report.pipeline)\(report.repository.map { " in \($0)" } ?? ""), "
            + "\(DORA.day(report.window.since)) to \(DORA.day(report.window.until))\n"
        if let message = report.message { return text + "\n" + message + "\n" }
        let counts = report.statusCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        text += "\n" + row("runs", "\(report.runs) (\(counts.joined(separator: ", ")))")
        if let rate = report.successRate { text += row("success rate", percent(rate)) }
        if let queue = report.queueTime {
            text += row(
                "queue time", "p50 \(duration(queue.p50)), p95 \(duration(queue.p95)), max \(duration(queue.max))")
        }
        if let run = report.runDuration {
            text += row("run duration", "p50 \(duration(run.p50)), p95 \(duration(run.p95)), max \(duration(run.max))")
        }
        if let forecast = report.forecast {
            text += row(
                "forecast",
                "\(duration(forecast.p50Seconds)) (p90 \(duration(forecast.p90Seconds)), from \(forecast.basedOn) runs)"
            )
            for pending in forecast.pending {
                text += "    run \(pending.run) (\(pending.status)): finishes about \(minute(pending.expectedFinish)), "
                text += "by \(minute(pending.latestFinish)) at the latest\n"
            }
        }
        if let path = report.criticalPath.typical {
            text += row("critical path", "\(path.nodes.joined(separator: " → ")) (\(duration(path.seconds)) typical)")
        }
        if let latest = report.criticalPath.latest {
            text += row(
                "  newest run's",
                "run \(latest.run): \(latest.path.nodes.joined(separator: " → ")) (\(duration(latest.path.seconds)))")
        }
        if !report.steps.isEmpty {
            text += "\n  step                       runs  success     p50     p95     max  trend\n"
            for step in report.steps {
                let name = step.node.count > 26 ? String(step.node.prefix(25)) + "…" : step.node
                var line = "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                line += String(format: "%5d", step.ran)
                line += (step.successRate.map(percent) ?? "-").leftPadded(9)
                for value in [step.duration?.p50, step.duration?.p95, step.duration?.max] {
                    line += (value.map(duration) ?? "-").leftPadded(8)
                }
                if let trend = step.trend {
                    line += "  " + (trend.change >= 0 ? "+" : "") + percent(trend.change)
                }
                text += line + "\n"
            }
        }
        if !report.flaky.isEmpty {
            text += "\n  flaky steps:\n"
            for step in report.flaky {
                text += "    \(step.node): passed after a retry in \(step.passedAfterRetry) of \(step.ran) runs, "
                text += "failed then passed on \(step.failedThenPassed) commits (runs "
                text += step.runs.map(String.init).joined(separator: ", ") + ")\n"
            }
        }
        if !report.agents.isEmpty {
            text += "\n  agents:\n"
            for agent in report.agents {
                var line = "    \(agent.agent)\(agent.uses.map { " (\($0))" } ?? ""): \(agent.calls) calls"
                if let duration = agent.duration {
                    line += ", p50 \(self.duration(duration.p50)), p95 \(self.duration(duration.p95))"
                }
                let outcomes = agent.outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                line += "; " + outcomes.joined(separator: ", ")
                if !agent.findings.isEmpty {
                    line +=
                        "; findings "
                        + agent.findings.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                        .joined(separator: ", ")
                }
                if agent.breakerTrips > 0 { line += "; breaker opened \(agent.breakerTrips)×" }
                if let tokens = agent.tokens {
                    line += "; \(tokens.spent) tokens (p50 \(tokens.perStepP50)/step"
                    if let budget = tokens.budgetPerStep { line += " of \(budget), \(tokens.atBudget) at budget" }
                    line += ")"
                }
                text += line + "\n"
                for error in agent.errors { text += "      \(error.count)× \(error.message)\n" }
            }
        }
        return text
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
