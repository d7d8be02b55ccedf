import DevFlowStore
import Foundation

/// Computes DORA reports from deployments (definitions in `docs/analytics.md`).
public struct DORA: Sendable {
    /// A later deployment within this many seconds that rolls back or hotfixes a deployment marks it failed.
    public var fixWindow: TimeInterval
    /// Branch prefixes whose deployments are fixes.
    public var hotfixBranchPrefixes: [String]
    /// The performance levels.
    public var levels: PerformanceLevels

    /// How far before the window deployments are read, to recognise a rollback to an older commit.
    public static let lookback: TimeInterval = 30 * 86_400

    /// Creates a calculator.
    public init(
        fixWindow: TimeInterval = 86_400, hotfixBranchPrefixes: [String] = ["hotfix/", "hotfix-"],
        levels: PerformanceLevels = .current
    ) {
        self.fixWindow = fixWindow
        self.hotfixBranchPrefixes = hotfixBranchPrefixes
        self.levels = levels
    }

    /// The report of `deployments` (oldest first; those before the window only serve to recognise rollbacks).
    public func report(
        _ deployments: [Deployment], window: AnalyticsWindow, repository: String? = nil, environment: String? = nil
    ) -> DORAReport {
        let since = window.since.timeIntervalSince1970
        let until = window.until.timeIntervalSince1970
        var groups: [GroupKey: [Deployment]] = [:]
        for deployment in deployments where deployment.finishedAt < until {
            if let environment, deployment.environment != environment { continue }
            groups[GroupKey(repository: deployment.repository, environment: deployment.environment), default: []]
                .append(deployment)
        }
        let environments = groups.compactMap { key, history -> EnvironmentDORA? in
            guard history.contains(where: { $0.finishedAt >= since }) else { return nil }
            return metrics(key: key, history: history, since: since, window: window)
        }.sorted { ($0.repository ?? "", $0.environment) < ($1.repository ?? "", $1.environment) }
        var message: String?
        if environments.isEmpty {
            let scope = [repository.map { "of \($0)" }, environment.map { "to \($0)" }].compactMap { $0 }
            message =
                "no deployment\(scope.isEmpty ? "" : " " + scope.joined(separator: " ")) finished between "
                + "\(Self.day(window.since)) and \(Self.day(window.until)): the DORA metrics are unknown, not zero "
                + "(a step counts as a deployment when it has `deployment: ENVIRONMENT`)"
        }
        return DORAReport(
            window: window, repository: repository, environment: environment, fixWindowSeconds: fixWindow,
            levelsYear: levels.year, levelsSource: levels.source, environments: environments, message: message)
    }

    private struct GroupKey: Hashable {
        var repository: String?
        var environment: String
    }

    private func metrics(key: GroupKey, history: [Deployment], since: Double, window: AnalyticsWindow)
        -> EnvironmentDORA
    {
        let failures = changeFailures(history, since: since)
        let inWindow = history.filter { $0.finishedAt >= since }
        let successful = inWindow.filter(\.succeeded)
        var notes: [String] = []

        let weeks = max(window.days / 7, 1 / 7)
        let days = Set(successful.map { Int(($0.finishedAt / 86_400).rounded(.down)) })
        let perWeek = Double(successful.count) / weeks
        let frequency = Frequency(
            perWeek: perWeek, perDay: perWeek / 7, deploymentDays: days.count,
            level: levels.frequencyLevel(perWeek: perWeek))

        let leads = successful.compactMap { deployment in
            deployment.commitTime.map { max(0, deployment.finishedAt - $0) }
        }
        var leadTime: TimeMetric?
        if let median = Percentile.of(leads, 50), let p90 = Percentile.of(leads, 90) {
            leadTime = TimeMetric(
                medianSeconds: median, p90Seconds: p90, samples: leads.count,
                level: levels.leadTimeLevel(seconds: median))
        }
        if leads.count < successful.count {
            notes.append(
                "\(successful.count - leads.count) of \(successful.count) successful deployments have no commit "
                    + "time and are left out of the lead time")
        }

        let rate = Double(failures.count) / Double(max(1, inWindow.count))
        let failureRate = FailureRate(
            rate: rate, failed: failures.count, deployments: inWindow.count,
            level: levels.changeFailureLevel(rate: rate))

        let recoveries = failures.compactMap(\.recoverySeconds)
        var recovery: RecoveryMetric?
        if let median = Percentile.of(recoveries, 50) {
            recovery = RecoveryMetric(
                medianSeconds: median, samples: recoveries.count, unrecovered: failures.count - recoveries.count,
                level: levels.recoveryLevel(seconds: median))
        } else if !failures.isEmpty {
            notes.append("no failed change has recovered yet: the recovery time is unknown")
        }
        return EnvironmentDORA(
            repository: key.repository, environment: key.environment, deployments: inWindow.count,
            successful: successful.count, deploymentFrequency: frequency, leadTime: leadTime,
            changeFailureRate: failureRate, recoveryTime: recovery, changeFailures: failures, notes: notes,
            weeks: weekly(inWindow, failures: failures, since: since, window: window))
    }

    /// The window's deployments and failed changes in weeks from its start (a last partial week included).
    func weekly(_ deployments: [Deployment], failures: [ChangeFailure], since: Double, window: AnalyticsWindow)
        -> [DORAWeek]
    {
        let week = 7 * 86_400.0
        let count = max(1, Int((window.days / 7).rounded(.up)))
        func index(_ time: Double) -> Int { min(count - 1, max(0, Int((time - since) / week))) }
        var weeks = (0..<count).map { offset in
            DORAWeek(
                start: Date(timeIntervalSince1970: since + Double(offset) * week), deployments: 0, successful: 0,
                failed: 0, leadTimeMedianSeconds: nil)
        }
        var leads = [[Double]](repeating: [], count: count)
        for deployment in deployments {
            let slot = index(deployment.finishedAt)
            weeks[slot].deployments += 1
            guard deployment.succeeded else { continue }
            weeks[slot].successful += 1
            if let commitTime = deployment.commitTime { leads[slot].append(max(0, deployment.finishedAt - commitTime)) }
        }
        for failure in failures { weeks[index(failure.at.timeIntervalSince1970)].failed += 1 }
        for slot in weeks.indices { weeks[slot].leadTimeMedianSeconds = Percentile.of(leads[slot], 50) }
        return weeks
    }

    /// The failed changes among the window's deployments of one environment (`history` oldest first).
    func changeFailures(_ history: [Deployment], since: Double) -> [ChangeFailure] {
        var marks: [Int: (ChangeFailure.Reason, Int64?)] = [:]
        var previousGood: Int?
        // Where each commit was first deployed successfully: a commit deployed before index i has a smaller index.
        var firstDeployed: [String: Int] = [:]
        for (index, deployment) in history.enumerated() {
            if !deployment.succeeded {
                marks[index] = (.deploymentFailed, nil)
                continue
            }
            if deployment.runStatus == .failed { marks[index] = (.runFailed, nil) }
            if let previous = previousGood, marks[previous] == nil,
                deployment.finishedAt - history[previous].finishedAt <= fixWindow
            {
                let replaced = history[previous]
                if let commit = deployment.commit, commit != replaced.commit,
                    let first = firstDeployed[commit], first < previous
                {
                    marks[previous] = (.rolledBack, deployment.run)
                } else if let branch = deployment.branch, hotfixBranchPrefixes.contains(where: branch.hasPrefix) {
                    marks[previous] = (.hotfixed, deployment.run)
                }
            }
            previousGood = index
            if let commit = deployment.commit, firstDeployed[commit] == nil { firstDeployed[commit] = index }
        }
        return marks.keys.sorted().compactMap { index -> ChangeFailure? in
            let deployment = history[index]
            guard deployment.finishedAt >= since, let (reason, markedBy) = marks[index] else { return nil }
            // Recovered by the first later successful deployment that is not itself a failed change.
            let recovery = history[(index + 1)...].enumerated().first { offset, later in
                later.succeeded && marks[index + 1 + offset] == nil
            }?.element
            return ChangeFailure(
                run: deployment.run, node: deployment.node, commit: deployment.commit,
                at: Date(timeIntervalSince1970: deployment.finishedAt), reason: reason, markedBy: markedBy,
                recoveredBy: recovery?.run, recoverySeconds: recovery.map { $0.finishedAt - deployment.finishedAt })
        }
    }

    /// `2026-12-02`.
    static func day(_ date: Date) -> String { String(StoredDate.iso8601(date).prefix(10)) }
}
