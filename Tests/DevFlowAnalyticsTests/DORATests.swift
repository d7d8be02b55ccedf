import DevFlowStore
import Foundation
import Testing

@testable import DevFlowAnalytics

/// DORA figures of a fixture history, computed by hand in the comments.
@Suite struct DORATests {
    /// 2026-11-01T00:00:00Z.
    static let start = 1_793_491_200.0
    static let hour = 3_600.0
    static let day = 86_400.0
    static let window = AnalyticsWindow(
        since: Date(timeIntervalSince1970: start), until: Date(timeIntervalSince1970: start + 14 * day))

    static func deploy(
        _ run: Int64, day: Double, hour: Double, commit: String, lead: Double?, succeeded: Bool = true,
        runStatus: RunStatus = .succeeded, branch: String = "main", environment: String = "production"
    ) -> Deployment {
        let finished = start + day * Self.day + hour * Self.hour
        return Deployment(
            run: run, node: "deploy", repository: "acme/shop", environment: environment, commit: commit,
            branch: branch, commitTime: lead.map { finished - $0 * Self.hour }, finishedAt: finished,
            succeeded: succeeded, runStatus: succeeded ? runStatus : .failed)
    }

    /// L (before the window), D1…D10 to production, D11 to staging.
    static let history: [Deployment] = [
        deploy(100, day: -3, hour: 10, commit: "c0", lead: 1),
        deploy(101, day: 1, hour: 10, commit: "c1", lead: 2),
        deploy(102, day: 2, hour: 10, commit: "c2", lead: 5, succeeded: false),  // deployment failed
        deploy(103, day: 2, hour: 12, commit: "c2", lead: 7),  // recovers D2 after 2 h
        deploy(104, day: 4, hour: 9, commit: "c4", lead: 1),  // rolled back by D5
        deploy(105, day: 4, hour: 11, commit: "c2", lead: 54),  // back to c2: recovers D4 after 2 h
        deploy(106, day: 7, hour: 10, commit: "c6", lead: 3, runStatus: .failed),  // run failed after deploying
        deploy(107, day: 7, hour: 16, commit: "c7", lead: 1, branch: "hotfix/login"),  // recovers D6 after 6 h
        deploy(108, day: 10, hour: 10, commit: "c8", lead: 4),  // hotfixed by D9
        deploy(109, day: 10, hour: 20, commit: "c9", lead: 0.5, branch: "hotfix/cart"),  // recovers D8 after 10 h
        deploy(110, day: 13, hour: 10, commit: "c10", lead: 3, succeeded: false),  // not recovered
        deploy(111, day: 5, hour: 10, commit: "c5", lead: 1, environment: "staging"),
    ].sorted { $0.finishedAt < $1.finishedAt }

    @Test func productionMatchesTheHandComputedFigures() throws {
        let report = DORA().report(Self.history, window: Self.window)
        #expect(report.message == nil)
        #expect(report.levelsYear == 2024)
        #expect(report.environments.map(\.environment) == ["production", "staging"])
        let production = try #require(report.environments.first)
        // 10 deployments in the window, 8 of them successful: 8 in 2 weeks is 4 a week (high), on 5 distinct days.
        #expect(production.deployments == 10)
        #expect(production.successful == 8)
        #expect(production.deploymentFrequency.perWeek == 4)
        #expect(abs(production.deploymentFrequency.perDay - 4.0 / 7) < 1e-9)
        #expect(production.deploymentFrequency.deploymentDays == 5)
        #expect(production.deploymentFrequency.level == "high")
        // Lead times 0.5, 1, 1, 2, 3, 4, 7, 54 hours: nearest-rank median 2 h (elite), p90 54 h.
        let lead = try #require(production.leadTime)
        #expect(lead.samples == 8)
        #expect(lead.medianSeconds == 2 * Self.hour)
        #expect(lead.p90Seconds == 54 * Self.hour)
        #expect(lead.level == "elite")
        // D2 and D10 failed to deploy, D4 was rolled back, D6's run failed, D8 was hotfixed: 5 of 10 is 50% (low).
        #expect(production.changeFailureRate.failed == 5)
        #expect(production.changeFailureRate.rate == 0.5)
        #expect(production.changeFailureRate.level == "low")
        let failures = production.changeFailures
        #expect(failures.map(\.run) == [102, 104, 106, 108, 110])
        #expect(failures.map(\.reason) == [.deploymentFailed, .rolledBack, .runFailed, .hotfixed, .deploymentFailed])
        #expect(failures.map(\.markedBy) == [nil, 105, nil, 109, nil])
        #expect(failures.map(\.recoveredBy) == [103, 105, 107, 109, nil])
        #expect(failures.map(\.recoverySeconds) == [2 * Self.hour, 2 * Self.hour, 6 * Self.hour, 10 * Self.hour, nil])
        // Recoveries 2, 2, 6, 10 hours: median 2 h (high: under a day, not under an hour); one not recovered.
        let recovery = try #require(production.recoveryTime)
        #expect(recovery.medianSeconds == 2 * Self.hour)
        #expect(recovery.samples == 4)
        #expect(recovery.unrecovered == 1)
        #expect(recovery.level == "high")
    }

    @Test func aQuietEnvironmentHasNoRecoveryAndAZeroFailureRate() throws {
        let report = DORA().report(Self.history, window: Self.window, environment: "staging")
        let staging = try #require(report.environments.first)
        #expect(report.environments.count == 1)
        #expect(staging.deployments == 1)
        #expect(staging.deploymentFrequency.perWeek == 0.5)
        #expect(staging.deploymentFrequency.level == "medium")
        #expect(staging.changeFailureRate.rate == 0)
        #expect(staging.changeFailureRate.level == "elite")
        #expect(staging.recoveryTime == nil)
        #expect(AnalyticsText.render(report).contains("no failed change in the window"))
    }

    @Test func aWindowWithoutDeploymentsSaysSoInsteadOfZeros() throws {
        let empty = AnalyticsWindow(
            since: Date(timeIntervalSince1970: Self.start + 60 * Self.day),
            until: Date(timeIntervalSince1970: Self.start + 90 * Self.day))
        let report = DORA().report(Self.history, window: empty, repository: "acme/shop")
        #expect(report.environments.isEmpty)
        let message = try #require(report.message)
        #expect(message.contains("no deployment of acme/shop finished between 2026-12-31 and 2027-01-30"))
        #expect(message.contains("unknown, not zero"))
        let text = AnalyticsText.render(report)
        #expect(text.contains(message))
        #expect(!text.contains("0.0%"))
        let json = String(decoding: try Analytics.json(report), as: UTF8.self)
        #expect(json.contains("\"environments\" : [\n\n  ]") || json.contains("\"environments\" : []"))
        #expect(json.contains("\"message\""))
    }

    @Test func aFixOutsideTheFixWindowMarksNothing() throws {
        // D9 came 10 h after D8; with a 6 h fix window it no longer marks D8.
        let report = DORA(fixWindow: 6 * Self.hour).report(Self.history, window: Self.window)
        let production = try #require(report.environments.first)
        #expect(production.changeFailures.map(\.run) == [102, 104, 106, 110])
    }

    @Test func frequencyLevelsFollowTheData() throws {
        let levels = PerformanceLevels.current
        #expect(levels.levels.map(\.name) == ["elite", "high", "medium", "low"])
        #expect(levels.frequencyLevel(perWeek: 7) == "elite")
        #expect(levels.frequencyLevel(perWeek: 6.9) == "high")
        #expect(levels.frequencyLevel(perWeek: 0.25) == "medium")
        #expect(levels.frequencyLevel(perWeek: 0.1) == "low")
        #expect(levels.leadTimeLevel(seconds: 2 * Self.day) == "high")
        #expect(levels.recoveryLevel(seconds: 30 * 60) == "elite")
        #expect(levels.changeFailureLevel(rate: 0.9) == "low")
        let other = try PerformanceLevels.decode(
            Data(
                #"{"year": 2031, "source": "test", "notes": [], "levels": [{"name": "fast", "share": 1, "deployment_frequency": {"text": "x", "minimum_per_week": 1}, "lead_time": {"text": "x", "maximum_seconds": 10}, "change_failure_rate": {"text": "x", "maximum": 0.5}, "recovery_time": {"text": "x", "maximum_seconds": 10}}]}"#
                    .utf8))
        #expect(DORA(levels: other).report(Self.history, window: Self.window).levelsYear == 2031)
    }

    @Test func windowsAreParsedOrRefusedWithAReason() throws {
        #expect(try AnalyticsWindow.seconds("90d") == 90 * Self.day)
        #expect(try AnalyticsWindow.seconds("12w") == 84 * Self.day)
        #expect(try AnalyticsWindow.seconds("36h") == 36 * Self.hour)
        for bad in ["", "d", "0d", "-3d", "3", "3y", "1.5d", "99999999999d"] {
            #expect(throws: AnalyticsError.self) { try AnalyticsWindow.seconds(bad) }
        }
    }
}
