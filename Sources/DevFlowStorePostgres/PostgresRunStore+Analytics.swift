import DevFlowStore
import Foundation
import PostgresNIO

extension PostgresRunStore: AnalyticsSource {
    /// Seconds since 1970 of a stored time column, to the millisecond (truncated, as SQLite's store keeps times),
    /// computed by PostgreSQL as a double: no date decoding per row in Swift.
    private static func epoch(_ column: String) -> String {
        "CAST(EXTRACT(EPOCH FROM date_trunc('milliseconds', \(column))) AS float8)"
    }

    /// The `WHERE` clause and arguments that select the scope's runs (`r` is the run table).
    private static func filter(_ scope: AnalyticsScope) -> (sql: String, arguments: [any SQLBindable]) {
        let condition = scope.runCondition
        return (condition.sql, condition.values)
    }

    /// `AND n.nodeId IN (…)` for a node filter, with its arguments.
    private static func nodeFilter(_ nodes: Set<String>?, column: String, into arguments: inout [any SQLBindable])
        -> String
    {
        let condition = AnalyticsScope.nodeCondition(nodes, column: column)
        arguments += condition.values as [any SQLBindable]
        return condition.sql
    }

    /// The runs queued in the scope, oldest first.
    public func analyticsRuns(_ scope: AnalyticsScope) throws -> [AnalyticsRun] {
        let (filter, arguments) = Self.filter(scope)
        let sql = """
            SELECT r.id, r.pipeline, r.repository, r.graphHash, r.gitCommit, r.gitBranch, \(Self.epoch("r.gitAuthorTime")),
                   r.status, \(Self.epoch("r.queuedAt")), \(Self.epoch("r.startedAt")), \(Self.epoch("r.finishedAt"))
            FROM run r WHERE \(filter) ORDER BY r.id
            """
        return try read { session in
            var runs: [AnalyticsRun] = []
            for row in try session.rows(sql, arguments) {
                let (
                    id, pipeline, repository, graphHash, commit, branch, commitTime, status, queuedAt, startedAt,
                    finishedAt
                ) = try row.decode(
                    (Int64, String, String?, String, String?, String?, Double?, String, Double, Double?, Double?)
                        .self)
                runs.append(
                    AnalyticsRun(
                        id: id, pipeline: pipeline, repository: repository, graphHash: graphHash, commit: commit,
                        branch: branch, commitTime: commitTime, status: RunStatus(rawValue: status) ?? .interrupted,
                        queuedAt: queuedAt, startedAt: startedAt, finishedAt: finishedAt))
            }
            return runs
        }
    }

    /// The distinct graphs of the scope's runs, from the covering index of queue times.
    public func graphHashes(_ scope: AnalyticsScope) throws -> Set<String> {
        let (filter, arguments) = Self.filter(scope)
        return try read { session in
            Set(try session.column(String.self, "SELECT DISTINCT r.graphHash FROM run r WHERE \(filter)", arguments))
        }
    }

    /// The graphs (canonical JSON) with these hashes.
    public func graphs(hashes: Set<String>) throws -> [String: String] {
        guard !hashes.isEmpty else { return [:] }
        return try read { session in
            var graphs: [String: String] = [:]
            for hash in hashes {
                // The newest run of each hash holds the same canonical JSON as every other run of it.
                if let json = try session.value(
                    String.self, "SELECT graphJSON FROM run WHERE graphHash = ? ORDER BY id DESC LIMIT 1", [hash])
                {
                    graphs[hash] = json
                }
            }
            return graphs
        }
    }

    /// The nodes of the scope's runs.
    public func analyticsNodes(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsNode] {
        var (filter, arguments) = Self.filter(scope)
        filter += Self.nodeFilter(nodes, column: "n.nodeId", into: &arguments)
        let sql = """
            SELECT n.runId, n.nodeId, n.status, n.attempts, \(Self.epoch("n.startedAt")), \(Self.epoch("n.finishedAt"))
            FROM run r JOIN node n ON n.runId = r.id WHERE \(filter) ORDER BY n.runId
            """
        return try read { session in
            var result: [AnalyticsNode] = []
            for row in try session.rows(sql, arguments) {
                let (runId, nodeId, status, attempts, startedAt, finishedAt) = try row.decode(
                    (Int64, String, String, Int64, Double?, Double?).self)
                result.append(
                    AnalyticsNode(
                        runId: runId, nodeId: nodeId, status: NodeStatus(rawValue: status) ?? .interrupted,
                        attempts: Int(attempts), startedAt: startedAt, finishedAt: finishedAt))
            }
            return result
        }
    }

    /// The attempts of the scope's runs.
    public func analyticsAttempts(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsAttempt] {
        var (filter, arguments) = Self.filter(scope)
        filter += Self.nodeFilter(nodes, column: "a.nodeId", into: &arguments)
        let sql = """
            SELECT a.runId, a.nodeId, a.number, a.status, a.durationMs, a.error
            FROM run r JOIN attempt a ON a.runId = r.id WHERE \(filter) ORDER BY a.id
            """
        return try read { session in
            var result: [AnalyticsAttempt] = []
            for row in try session.rows(sql, arguments) {
                let (runId, nodeId, number, status, durationMs, error) = try row.decode(
                    (Int64, String, Int64, String, Int64, String?).self)
                result.append(
                    AnalyticsAttempt(
                        runId: runId, nodeId: nodeId, number: Int(number),
                        status: AttemptStatus(rawValue: status) ?? .error, durationMs: Int(durationMs), error: error))
            }
            return result
        }
    }

    /// Findings counted by run, node and severity.
    public func analyticsFindings(_ scope: AnalyticsScope, nodes: Set<String>?) throws -> [AnalyticsFindingCount] {
        var (filter, arguments) = Self.filter(scope)
        filter += Self.nodeFilter(nodes, column: "f.nodeId", into: &arguments)
        let sql = """
            SELECT f.runId, f.nodeId, f.severity, COUNT(*) FROM run r JOIN finding f ON f.runId = r.id
            WHERE \(filter) GROUP BY f.runId, f.nodeId, f.severity ORDER BY f.runId
            """
        return try read { session in
            try session.rows(sql, arguments).map { row -> AnalyticsFindingCount in
                let (runId, nodeId, severity, count) = try row.decode((Int64, String, String, Int64).self)
                return AnalyticsFindingCount(runId: runId, nodeId: nodeId, severity: severity, count: Int(count))
            }
        }
    }

    /// The outputs named `name` of the scope's runs.
    public func analyticsOutputs(_ scope: AnalyticsScope, named name: String, nodes: Set<String>?) throws
        -> [AnalyticsOutput]
    {
        var (filter, arguments) = Self.filter(scope)
        filter += " AND o.name = ?"
        arguments.append(name)
        filter += Self.nodeFilter(nodes, column: "o.nodeId", into: &arguments)
        let sql = "SELECT o.runId, o.nodeId, o.value FROM run r JOIN output o ON o.runId = r.id WHERE \(filter)"
        return try read { session in
            try session.rows(sql, arguments).map { row -> AnalyticsOutput in
                let (runId, nodeId, value) = try row.decode((Int64, String, String).self)
                return AnalyticsOutput(runId: runId, nodeId: nodeId, value: value)
            }
        }
    }

    /// Breaker transitions in `[since, until)`, oldest first.
    public func breakerTransitions(since: Date, until: Date) throws -> [BreakerTransitionRecord] {
        try read { session in
            try session.fetchAll(
                BreakerTransitionRecord.self, "SELECT * FROM breakerTransition WHERE at >= ? AND at < ? ORDER BY id",
                [since, until])
        }
    }
}

extension PostgresRunStore {
    /// The id of the newest change in the state-change feed (0 when empty): where a page's event stream starts.
    public func lastStateChangeID() throws -> Int64 {
        try read { session in try session.value(Int64.self, "SELECT max(id) FROM stateChange") ?? 0 }
    }

    /// Every pipeline name that has a run, in name order (the dashboard's picker), compared byte by byte as SQLite
    /// does rather than by the database's collation.
    public func pipelineNames() throws -> [String] {
        try read { session in
            try session.column(
                String.self, "SELECT pipeline FROM run GROUP BY pipeline ORDER BY pipeline COLLATE \"C\"")
        }
    }
}
