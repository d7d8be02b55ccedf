import DevFlowStore
import Foundation
import PostgresNIO

extension PostgresRunStore: APIStore {
    /// `column` (a TIMESTAMPTZ) as the API shows times, formatted by PostgreSQL: ISO 8601 in UTC with milliseconds
    /// (`2026-12-02T03:04:05.678Z`), truncated as `StoredDate.iso8601` and SQLite's `strftime('%f')` do.
    private static func iso8601(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// A `LIMIT` argument: SQLite reads a negative limit as none, PostgreSQL reads NULL so (and rejects negatives).
    private static func limitArgument(_ limit: Int) -> Int? { limit < 0 ? nil : limit }

    /// Stores a new token; fails if the name is taken (one statement, so two servers cannot both take a name).
    public func createToken(_ token: APITokenRecord) throws -> APITokenRecord {
        try read { session in
            let inserted = try session.value(
                Int64.self,
                """
                INSERT INTO apiToken (name, role, hash, createdAt, expiresAt, lastUsedAt, revokedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id
                """,
                [
                    token.name, token.role.rawValue, token.hash, token.createdAt, token.expiresAt, token.lastUsedAt,
                    token.revokedAt,
                ])
            guard let id = inserted else {
                throw StoreError(
                    "a token named '\(token.name)' exists already; pick another name or revoke it first "
                        + "(`devflow tokens revoke \(token.name)`)")
            }
            var record = token
            record.id = id
            return record
        }
    }

    /// Every token, oldest first.
    public func tokens() throws -> [APITokenRecord] {
        try read { session in try session.fetchAll(APITokenRecord.self, "SELECT * FROM apiToken ORDER BY id") }
    }

    /// The token with this hash; its last use is written at most once a minute, so reads stay reads.
    public func token(hash: String, usedAt now: Date) throws -> APITokenRecord? {
        guard
            var token = try read({ session in
                try session.fetchOne(APITokenRecord.self, "SELECT * FROM apiToken WHERE hash = ?", [hash])
            })
        else { return nil }
        if token.isValid(at: now), token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            token.lastUsedAt = now
            let id = token.id
            _ = try read { session in
                try session.execute("UPDATE apiToken SET lastUsedAt = ? WHERE id = ?", [now, id])
            }
        }
        return token
    }

    /// Revokes a token by name (one statement: of two revocations at once, one returns the token).
    public func revokeToken(named name: String, at date: Date) throws -> APITokenRecord? {
        try read { session in
            try session.fetchOne(
                APITokenRecord.self,
                "UPDATE apiToken SET revokedAt = ? WHERE name = ? AND revokedAt IS NULL RETURNING *", [date, name])
        }
    }

    /// Whether a token that works at `date` exists.
    public func hasValidTokens(at date: Date) throws -> Bool {
        try read { session in
            try session.value(
                Bool.self,
                """
                SELECT EXISTS (SELECT 1 FROM apiToken WHERE revokedAt IS NULL AND (expiresAt IS NULL OR expiresAt > ?))
                """, [date]) ?? false
        }
    }

    /// Appends to the audit log.
    public func recordAudit(_ entry: AuditRecord) throws {
        _ = try read { session in try session.insert(entry, into: "audit", returningID: false) }
    }

    /// Audit entries in a window, oldest first.
    public func audit(since: Date?, until: Date?, limit: Int) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let since {
            conditions.append("at >= ?")
            arguments.append(since)
        }
        if let until {
            conditions.append("at <= ?")
            arguments.append(until)
        }
        arguments.append(Self.limitArgument(limit))
        let sql =
            "SELECT * FROM audit \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) "
            + "ORDER BY id LIMIT ?"
        return try read { session in try session.fetchAll(AuditRecord.self, sql, arguments) }
    }

    /// A page of runs, newest first, below a cursor: one statement that reads only the listed columns and lets
    /// PostgreSQL format the times and pick the event's kind.
    public func runs(matching filter: RunFilter, before: Int64?, limit: Int) throws -> [RunListing] {
        let filters = filter.conditions(before: before, eventKind: "(event::json ->> 'kind')")
        let conditions = filters.map(\.sql)
        var arguments: [any SQLBindable] = filters.map(\.value)
        arguments.append(Self.limitArgument(limit))
        // The duration is that of the times shown (each truncated to the millisecond), as SQLite's is of the
        // millisecond times it stores.
        let sql = """
            SELECT id, pipeline, file, repository, ref, gitBranch, gitCommit, status, statusReason,
                   COALESCE(event::json ->> 'kind', 'unknown'), \(Self.iso8601("queuedAt")),
                   \(Self.iso8601("startedAt")), \(Self.iso8601("finishedAt")),
                   CAST(round(EXTRACT(EPOCH FROM (date_trunc('milliseconds', finishedAt)
                     - date_trunc('milliseconds', startedAt))) * 1000) AS BIGINT), cancelRequested,
                   \(Self.iso8601("pausedAt")), rerunOf, (event::json ->> 'summary')
            FROM run \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY id DESC LIMIT ?
            """
        return try read { session in
            try session.rows(sql, arguments).map { row -> RunListing in
                let (
                    id, pipeline, file, repository, ref, branch, commit, status, statusReason, eventKind, queuedAt,
                    startedAt, finishedAt, durationMs, cancelRequested, pausedAt, rerunOf, eventSummary
                ) = try row.decode(
                    (
                        Int64, String, String, String?, String?, String?, String?, String, String?, String, String,
                        String?, String?, Int64?, String?, String?, Int64?, String?
                    ).self)
                return RunListing(
                    id: id, pipeline: pipeline, file: file, repository: repository, ref: ref, branch: branch,
                    commit: commit, status: RunStatus(rawValue: status) ?? .interrupted, statusReason: statusReason,
                    eventKind: eventKind, queuedAt: queuedAt, startedAt: startedAt, finishedAt: finishedAt,
                    durationMs: durationMs, cancelRequested: cancelRequested, pausedAt: pausedAt, rerunOf: rerunOf,
                    eventSummary: eventSummary)
            }
        }
    }

    /// A page of log chunks after a chunk id.
    public func logChunks(run: Int64, node: String?, after: Int64, limit: Int) throws -> [LogChunkRecord] {
        var sql = "SELECT * FROM logChunk WHERE runId = ?"
        var arguments: [any SQLBindable] = [run]
        if let node {
            sql += " AND nodeId = ?"
            arguments.append(node)
        }
        sql += " AND id > ? ORDER BY id LIMIT ?"
        arguments.append(after)
        arguments.append(Self.limitArgument(limit))
        return try read { session in try session.fetchAll(LogChunkRecord.self, sql, arguments) }
    }

    /// A named secret, created once: of several servers creating it at once, the first insert wins and every
    /// server returns its value.
    public func serverSecret(named name: String, generate: () -> String) throws -> String {
        try read { session in
            if let value = try session.value(String.self, "SELECT value FROM serverSecret WHERE name = ?", [name]) {
                return value
            }
            try session.execute(
                "INSERT INTO serverSecret (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                [name, generate()])
            guard
                let value = try session.value(String.self, "SELECT value FROM serverSecret WHERE name = ?", [name])
            else { throw StoreError("the server secret '\(name)' vanished while it was being created") }
            return value
        }
    }

    /// State changes after an id.
    public func stateChanges(after: Int64, limit: Int) throws -> [StateChange] {
        try read { session in
            try session.rows(
                """
                SELECT id, runId, nodeId, status, \(Self.iso8601("stateChange.at")) FROM stateChange
                WHERE id > ? ORDER BY id LIMIT ?
                """, [after, Self.limitArgument(limit)]
            ).map { row -> StateChange in
                let (id, runId, nodeId, status, at) = try row.decode((Int64, Int64, String?, String, String).self)
                return StateChange(id: id, run: runId, node: nodeId, status: status, at: at)
            }
        }
    }
}
