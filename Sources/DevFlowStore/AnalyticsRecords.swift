import Foundation

/// Which runs an analytics read covers: those queued in `[since, until)`, optionally of one repository or pipeline.
public struct AnalyticsScope: Sendable, Equatable {
    /// Only this repository's runs (nil: every repository, and local runs).
    public var repository: String?
    /// Only this pipeline's runs.
    public var pipeline: String?
    /// The window's start.
    public var since: Date
    /// The window's end (exclusive).
    public var until: Date
    /// Only runs of these graphs (nil: any), e.g. the ones that deploy.
    public var graphHashes: Set<String>?

    /// Creates a scope.
    public init(
        repository: String? = nil, pipeline: String? = nil, since: Date, until: Date, graphHashes: Set<String>? = nil
    ) {
        self.repository = repository
        self.pipeline = pipeline
        self.since = since
        self.until = until
        self.graphHashes = graphHashes
    }
}

extension AnalyticsScope {
    /// The condition that selects the scope's runs (`r` is the run table), with `?` placeholders and their values,
    /// shared by every backend.
    public var runCondition: (sql: String, values: [SQLValue]) {
        var sql = "r.queuedAt >= ? AND r.queuedAt < ?"
        var values: [SQLValue] = [.date(since), .date(until)]
        if let repository {
            sql += " AND r.repository = ?"
            values.append(.text(repository))
        }
        if let pipeline {
            sql += " AND r.pipeline = ?"
            values.append(.text(pipeline))
        }
        if let graphHashes {
            let condition = Self.membership(graphHashes, column: "r.graphHash")
            sql += condition.sql
            values += condition.values
        }
        return (sql, values)
    }

    /// `AND column IN (…)` for a node filter (nothing when nil; false when empty), with its values.
    public static func nodeCondition(_ nodes: Set<String>?, column: String) -> (sql: String, values: [SQLValue]) {
        guard let nodes else { return ("", []) }
        return membership(nodes, column: column)
    }

    private static func membership(_ set: Set<String>, column: String) -> (sql: String, values: [SQLValue]) {
        if set.isEmpty { return (" AND 1 = 0", []) }
        let sorted = set.sorted()
        return (
            " AND \(column) IN (" + Array(repeating: "?", count: sorted.count).joined(separator: ",") + ")",
            sorted.map { .text($0) }
        )
    }
}

/// A run as analytics reads it: times as seconds since 1970, no graph, no event.
public struct AnalyticsRun: Sendable, Equatable {
    /// The run's id.
    public var id: Int64
    /// The pipeline's name.
    public var pipeline: String
    /// The repository (nil for a local run).
    public var repository: String?
    /// The graph's hash (graphs are shared by every run of the same configuration).
    public var graphHash: String
    /// The commit, when known.
    public var commit: String?
    /// The branch, when known.
    public var branch: String?
    /// The commit's author time.
    public var commitTime: Double?
    /// The run's state.
    public var status: RunStatus
    /// When it was queued.
    public var queuedAt: Double
    /// When it started.
    public var startedAt: Double?
    /// When it finished.
    public var finishedAt: Double?

    /// Creates a run.
    public init(
        id: Int64, pipeline: String, repository: String?, graphHash: String, commit: String?, branch: String?,
        commitTime: Double?, status: RunStatus, queuedAt: Double, startedAt: Double?, finishedAt: Double?
    ) {
        self.id = id
        self.pipeline = pipeline
        self.repository = repository
        self.graphHash = graphHash
        self.commit = commit
        self.branch = branch
        self.commitTime = commitTime
        self.status = status
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Queued to started, once it started.
    public var queueTime: Double? { startedAt.map { max(0, $0 - queuedAt) } }

    /// Started to finished, once it finished.
    public var duration: Double? {
        guard let startedAt, let finishedAt else { return nil }
        return max(0, finishedAt - startedAt)
    }
}

/// A node of a run as analytics reads it.
public struct AnalyticsNode: Sendable, Equatable {
    /// The run.
    public var runId: Int64
    /// The node id.
    public var nodeId: String
    /// Its final (or current) state.
    public var status: NodeStatus
    /// Attempts made.
    public var attempts: Int
    /// When it started.
    public var startedAt: Double?
    /// When it finished.
    public var finishedAt: Double?

    /// Creates a node.
    public init(
        runId: Int64, nodeId: String, status: NodeStatus, attempts: Int, startedAt: Double?, finishedAt: Double?
    ) {
        self.runId = runId
        self.nodeId = nodeId
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// How long it ran, when it started and finished.
    public var duration: Double? {
        guard let startedAt, let finishedAt else { return nil }
        return max(0, finishedAt - startedAt)
    }
}

/// An attempt as analytics reads it.
public struct AnalyticsAttempt: Sendable, Equatable {
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// 1-based attempt number.
    public var number: Int
    /// How it ended.
    public var status: AttemptStatus
    /// How long it took.
    public var durationMs: Int
    /// An agent's or the runner's error message.
    public var error: String?

    /// Creates an attempt.
    public init(runId: Int64, nodeId: String, number: Int, status: AttemptStatus, durationMs: Int, error: String?) {
        self.runId = runId
        self.nodeId = nodeId
        self.number = number
        self.status = status
        self.durationMs = durationMs
        self.error = error
    }
}

/// How many findings of one severity a node reported in one run.
public struct AnalyticsFindingCount: Sendable, Equatable {
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// `error`, `warning`, `note`…
    public var severity: String
    /// How many.
    public var count: Int

    /// Creates a count.
    public init(runId: Int64, nodeId: String, severity: String, count: Int) {
        self.runId = runId
        self.nodeId = nodeId
        self.severity = severity
        self.count = count
    }
}

/// One named output of a node in one run.
public struct AnalyticsOutput: Sendable, Equatable {
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// The value.
    public var value: String

    /// Creates an output.
    public init(runId: Int64, nodeId: String, value: String) {
        self.runId = runId
        self.nodeId = nodeId
        self.value = value
    }
}

/// The reads DORA, insights and agent performance are computed from: flat rows of the runs in a scope, so that a
/// window of 100,000 runs is a handful of queries. `nodes` limits node-level reads to these node ids (nil: all).
public protocol AnalyticsSource: Sendable {
    /// The runs queued in the scope, oldest first.
    func analyticsRuns(_ scope: AnalyticsScope) throws -> [AnalyticsRun]
    /// The graphs (canonical JSON) with these hashes.
    func graphs(hashes: Set<String>) throws -> [String: String]
    /// The distinct graphs of the scope's runs (cheap: no run is read whole).
    func graphHashes(_ scope: AnalyticsScope) throws -> Set<String>
    /// The nodes of the scope's runs.
    func analyticsNodes(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsNode]
    /// The attempts of the scope's runs.
    func analyticsAttempts(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsAttempt]
    /// Findings counted by run, node and severity.
    func analyticsFindings(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsFindingCount]
    /// The outputs named `name` of the scope's runs.
    func analyticsOutputs(_ scope: AnalyticsScope, named name: String, nodes: Set<String>?) throws
        -> [AnalyticsOutput]
    /// Breaker transitions in `[since, until)`, oldest first.
    func breakerTransitions(since: Date, until: Date) throws -> [BreakerTransitionRecord]
    /// Every pipeline name that has a run, in name order (the dashboard's picker).
    func pipelineNames() throws -> [String]
}
