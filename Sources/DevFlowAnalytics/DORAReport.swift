import Foundation

/// The four DORA metrics per repository and environment over a window (definitions in `docs/analytics.md`).
public struct DORAReport: Codable, Sendable, Equatable {
    /// The window.
    public var window: AnalyticsWindow
    /// The repository asked for (nil: every repository).
    public var repository: String?
    /// The environment asked for (nil: every environment).
    public var environment: String?
    /// How long after a deployment a rollback or hotfix marks it as a failed change.
    public var fixWindowSeconds: Double
    /// The year of the performance levels used.
    public var levelsYear: Int
    /// The report the levels come from.
    public var levelsSource: String
    /// One entry per repository and environment with a deployment in the window, by repository then environment.
    public var environments: [EnvironmentDORA]
    /// Set when the window has no deployment: the metrics are unknown, not zero.
    public var message: String?
}

/// The metrics of one environment of one repository.
public struct EnvironmentDORA: Codable, Sendable, Equatable {
    /// The repository (nil for local runs).
    public var repository: String?
    /// The environment.
    public var environment: String
    /// Deployments that ran to an end (succeeded or failed).
    public var deployments: Int
    /// Of those, the ones whose deploying node succeeded.
    public var successful: Int
    /// Successful deployments per week and per day.
    public var deploymentFrequency: Frequency
    /// Commit time to the finish of a successful deployment; nil when no successful deployment knows its commit time.
    public var leadTime: TimeMetric?
    /// Failed changes over deployments.
    public var changeFailureRate: FailureRate
    /// A failed change to the finish of the next good deployment; nil when no failure recovered in the window.
    public var recoveryTime: RecoveryMetric?
    /// Each failed change, oldest first.
    public var changeFailures: [ChangeFailure]
    /// What the figures could not include, said for people.
    public var notes: [String]
    /// The window week by week (from its start), for charts.
    public var weeks: [DORAWeek] = []
}

/// One week of an environment's deployments.
public struct DORAWeek: Codable, Sendable, Equatable {
    /// The week's first moment (the window's start plus whole weeks).
    public var start: Date
    /// Deployments that finished in the week.
    public var deployments: Int
    /// Of those, the successful ones.
    public var successful: Int
    /// Failed changes among them.
    public var failed: Int
    /// The median lead time of the week's successful deployments with a commit time.
    public var leadTimeMedianSeconds: Double?
}

/// Deployment frequency.
public struct Frequency: Codable, Sendable, Equatable {
    /// Successful deployments a week, over the window.
    public var perWeek: Double
    /// Successful deployments a day, over the window.
    public var perDay: Double
    /// Distinct days (UTC) with a successful deployment.
    public var deploymentDays: Int
    /// The performance level.
    public var level: String
}

/// A duration metric: the median is what DORA classifies.
public struct TimeMetric: Codable, Sendable, Equatable {
    /// The median.
    public var medianSeconds: Double
    /// The 90th percentile.
    public var p90Seconds: Double
    /// How many deployments it is computed from.
    public var samples: Int
    /// The performance level of the median.
    public var level: String
}

/// Change failure rate.
public struct FailureRate: Codable, Sendable, Equatable {
    /// `failed / deployments`.
    public var rate: Double
    /// Failed changes.
    public var failed: Int
    /// Deployments.
    public var deployments: Int
    /// The performance level.
    public var level: String
}

/// Failed-deployment recovery time.
public struct RecoveryMetric: Codable, Sendable, Equatable {
    /// The median over recovered failures.
    public var medianSeconds: Double
    /// How many failures recovered in the window.
    public var samples: Int
    /// Failures with no good deployment after them yet.
    public var unrecovered: Int
    /// The performance level of the median.
    public var level: String
}

/// One failed change.
public struct ChangeFailure: Codable, Sendable, Equatable {
    /// Why the deployment counts as a failed change.
    public enum Reason: String, Codable, Sendable {
        /// Its deploying node failed.
        case deploymentFailed = "deployment_failed"
        /// The node deployed but its run failed afterwards (a smoke test, a verification).
        case runFailed = "run_failed"
        /// The next deployment, within the fix window, put back a commit deployed before it.
        case rolledBack = "rolled_back"
        /// The next deployment, within the fix window, came from a hotfix branch.
        case hotfixed
    }

    /// The deployment's run.
    public var run: Int64
    /// Its deploying node.
    public var node: String
    /// The commit.
    public var commit: String?
    /// When the failed change finished deploying (the failure's start).
    public var at: Date
    /// Why it counts.
    public var reason: Reason
    /// The run whose deployment marked it (rollbacks and hotfixes).
    public var markedBy: Int64?
    /// The run whose successful deployment recovered from it, if any yet.
    public var recoveredBy: Int64?
    /// Seconds from the failure to that deployment's finish.
    public var recoverySeconds: Double?
}
