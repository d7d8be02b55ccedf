import Foundation
import GRDB

extension SQLiteRunStore: AnalyticsSource {
    /// Seconds since 1970 of a stored time column, to the millisecond, computed by SQLite (no date parsing per row
    /// in Swift; rounded, since julianday's double carries some microseconds of error).
    private static func epoch(_ column: String) -> String {
        "(round((julianday(\(column)) - 2440587.5) * 86400000.0) / 1000.0)"
    }

    /// The `WHERE` clause and arguments that select the scope's runs (`r` is the run table).
    private static func filter(_ scope: AnalyticsScope) -> (sql: String, arguments: StatementArguments) {
        let condition = scope.runCondition
        return (condition.sql, StatementArguments(condition.values.map(\.databaseValue)))
    }

    /// `AND n.nodeId IN (…)` for a node filter, with its arguments.
    private static func nodeFilter(_ nodes: Set<String>?, column: String, into arguments: inout StatementArguments)
        -> String
    {
        let condition = AnalyticsScope.nodeCondition(nodes, column: column)
        _ = arguments.append(contentsOf: StatementArguments(condition.values.map(\.databaseValue)))
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
        return try database.read { db in
            var runs: [AnalyticsRun] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                runs.append(
                    AnalyticsRun(
                        id: row[0], pipeline: row[1], repository: row[2], graphHash: row[3], commit: row[4],
                        branch: row[5], commitTime: row[6], status: RunStatus(rawValue: row[7]) ?? .interrupted,
                        queuedAt: row[8], startedAt: row[9], finishedAt: row[10]))
            }
            return runs
        }
    }

    /// The distinct graphs of the scope's runs, from the covering index of queue times.
    public func graphHashes(_ scope: AnalyticsScope) throws -> Set<String> {
        let (filter, arguments) = Self.filter(scope)
        return try database.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT r.graphHash FROM run r WHERE \(filter)", arguments: arguments))
        }
    }

    /// The graphs (canonical JSON) with these hashes.
    public func graphs(hashes: Set<String>) throws -> [String: String] {
        guard !hashes.isEmpty else { return [:] }
        return try database.read { db in
            var graphs: [String: String] = [:]
            for hash in hashes {
                // The newest run of each hash holds the same canonical JSON as every other run of it.
                if let json = try String.fetchOne(
                    db, sql: "SELECT graphJSON FROM run WHERE graphHash = ? ORDER BY id DESC LIMIT 1", arguments: [hash]
                ) {
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
        return try database.read { db in
            var result: [AnalyticsNode] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                result.append(
                    AnalyticsNode(
                        runId: row[0], nodeId: row[1], status: NodeStatus(rawValue: row[2]) ?? .interrupted,
                        attempts: row[3], startedAt: row[4], finishedAt: row[5]))
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
        return try database.read { db in
            var result: [AnalyticsAttempt] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                result.append(
                    AnalyticsAttempt(
                        runId: row[0], nodeId: row[1], number: row[2],
                        status: AttemptStatus(rawValue: row[3]) ?? .error, durationMs: row[4], error: row[5]))
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
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                AnalyticsFindingCount(runId: $0[0], nodeId: $0[1], severity: $0[2], count: $0[3])
            }
        }
    }

    /// The outputs named `name` of the scope's runs.
    public func analyticsOutputs(_ scope: AnalyticsScope, named name: String, nodes: Set<String>?) throws
        -> [AnalyticsOutput]
    {
        var (filter, arguments) = Self.filter(scope)
        filter += " AND o.name = ?"
        _ = arguments.append(contentsOf: [name])
        filter += Self.nodeFilter(nodes, column: "o.nodeId", into: &arguments)
        let sql = "SELECT o.runId, o.nodeId, o.value FROM run r JOIN output o ON o.runId = r.id WHERE \(filter)"
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                AnalyticsOutput(runId: $0[0], nodeId: $0[1], value: $0[2])
            }
        }
    }

    /// Breaker transitions in `[since, until)`, oldest first.
    public func breakerTransitions(since: Date, until: Date) throws -> [BreakerTransitionRecord] {
        try database.read { db in
            try BreakerTransitionRecord.filter(Column("at") >= since && Column("at") < until).order(Column("id"))
                .fetchAll(db)
        }
    }
}

extension SQLiteRunStore {
    /// The id of the newest change in the state-change feed (0 when empty): where a page's event stream starts.
    public func lastStateChangeID() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM stateChange") ?? 0 }
    }

    /// Every pipeline name that has a run, in name order (the dashboard's picker).
    public func pipelineNames() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT pipeline FROM run ORDER BY pipeline") }
    }
}

extension SQLValue {
    /// The value as GRDB binds it.
    var databaseValue: DatabaseValue {
        switch self {
        case .text(let text): text.databaseValue
        case .integer(let integer): integer.databaseValue
        case .date(let date): date.databaseValue
        }
    }
}
