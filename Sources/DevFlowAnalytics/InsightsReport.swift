import Foundation

/// What a pipeline's recent runs say: durations per step and their trend, flaky steps, queue time, critical paths,
/// success rate, a forecast for runs waiting now, and how its agents perform.
public struct InsightsReport: Codable, Sendable, Equatable {
    /// The pipeline.
    public var pipeline: String
    /// The repository asked for (nil: every repository).
    public var repository: String?
    /// The window.
    public var window: AnalyticsWindow
    /// Runs queued in the window.
    public var runs: Int
    /// Those runs by state.
    public var statusCounts: [String: Int]
    /// Succeeded over finished runs (skipped runs, whose triggers did not match, are not counted); nil with none.
    public var successRate: Double?
    /// Queued to started, in seconds.
    public var queueTime: DurationStats?
    /// Started to finished of succeeded runs, in seconds.
    public var runDuration: DurationStats?
    /// Per node, in graph order.
    public var steps: [StepInsight]
    /// Nodes that passed only after a retry, or failed and then passed on the same commit; most flaky first.
    public var flaky: [FlakyStep]
    /// The newest finished run's critical path, and the typical one (median durations on the newest graph).
    public var criticalPath: CriticalPaths
    /// How long a run of this pipeline is expected to take, and when the runs waiting now should finish.
    public var forecast: Forecast?
    /// The pipeline's agent steps.
    public var agents: [AgentPerformance]
    /// Set when the window has no run of the pipeline.
    public var message: String?
}

/// One node's record.
public struct StepInsight: Codable, Sendable, Equatable {
    /// The node id.
    public var node: String
    /// Runs in which it ran to an end.
    public var ran: Int
    /// Of those, succeeded.
    public var succeeded: Int
    /// `succeeded / ran`; nil when it never ran.
    public var successRate: Double?
    /// Its durations in seconds (started to finished, every attempt included).
    public var duration: DurationStats?
    /// Median of the newer half of its runs against the older half (at least 4 runs).
    public var trend: Trend?
    /// Runs in which it needed more than one attempt.
    public var retried: Int
}

/// A duration trend.
public struct Trend: Codable, Sendable, Equatable {
    /// The older half's median, in seconds.
    public var earlierP50: Double
    /// The newer half's median.
    public var recentP50: Double
    /// `recent / earlier − 1`: 0.25 is 25% slower.
    public var change: Double
}

/// A flaky node.
public struct FlakyStep: Codable, Sendable, Equatable {
    /// The node id.
    public var node: String
    /// Runs in which it failed, was retried, and passed.
    public var passedAfterRetry: Int
    /// Commits on which it failed in one run and passed in a later one.
    public var failedThenPassed: Int
    /// Runs in which it ran.
    public var ran: Int
    /// Up to ten runs that show it, newest first.
    public var runs: [Int64]
}

/// Critical paths.
public struct CriticalPaths: Codable, Sendable, Equatable {
    /// The newest finished run's.
    public var latest: RunCriticalPath?
    /// Over the window's runs: each node weighing its median duration, on the newest graph.
    public var typical: CriticalPath?
}

/// One run's critical path.
public struct RunCriticalPath: Codable, Sendable, Equatable {
    /// The run.
    public var run: Int64
    /// Its path.
    public var path: CriticalPath
}

/// A duration forecast from the pipeline's succeeded runs.
public struct Forecast: Codable, Sendable, Equatable {
    /// Succeeded runs it is based on.
    public var basedOn: Int
    /// Their median duration, in seconds.
    public var p50Seconds: Double
    /// Their 90th percentile.
    public var p90Seconds: Double
    /// The median queue time, in seconds.
    public var queueP50Seconds: Double?
    /// The runs queued or running now.
    public var pending: [PendingForecast]
}

/// When a waiting or running run should finish.
public struct PendingForecast: Codable, Sendable, Equatable {
    /// The run.
    public var run: Int64
    /// `queued` or `running`.
    public var status: String
    /// When it started, or is expected to.
    public var expectedStart: Date
    /// When it should finish (the median duration after its start).
    public var expectedFinish: Date
    /// The late end of the range (the 90th percentile).
    public var latestFinish: Date
}

/// How one agent performs across the pipeline's runs.
public struct AgentPerformance: Codable, Sendable, Equatable {
    /// The agent's name in the pipeline.
    public var agent: String
    /// The built-in it uses (`security-guardian`, `llm`…), nil for a command agent.
    public var uses: String?
    /// The nodes that run it.
    public var nodes: [String]
    /// Attempts made (each one a call of the agent).
    public var calls: Int
    /// Call durations in seconds.
    public var duration: DurationStats?
    /// Calls by how they ended (`succeeded`, `failed`, `timed_out`, `error`, `breaker_open`…).
    public var outcomes: [String: Int]
    /// The most frequent error messages, most frequent first.
    public var errors: [ErrorKind]
    /// Findings by severity.
    public var findings: [String: Int]
    /// Times its breakers opened in the window.
    public var breakerTrips: Int
    /// For `llm`: tokens spent against its budgets.
    public var tokens: TokenUse?
}

/// An error message and how often it occurred.
public struct ErrorKind: Codable, Sendable, Equatable {
    /// The message's first line, shortened.
    public var message: String
    /// Occurrences.
    public var count: Int
}

/// Tokens an llm agent spent.
public struct TokenUse: Codable, Sendable, Equatable {
    /// In all.
    public var spent: Int
    /// Per step run: median.
    public var perStepP50: Int
    /// Per step run: most.
    public var perStepMax: Int
    /// `max_tokens_per_step`, if set.
    public var budgetPerStep: Int?
    /// `max_tokens_per_run`, if set.
    public var budgetPerRun: Int?
    /// Step runs that spent their whole per-step budget.
    public var atBudget: Int
}
