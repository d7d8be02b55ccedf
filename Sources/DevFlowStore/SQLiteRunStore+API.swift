import Foundation
import GRDB

extension SQLiteRunStore: APIStore {
    /// Stores a new token; fails if the name is taken.
    public func createToken(_ token: APITokenRecord) throws -> APITokenRecord {
        try database.write { db in
            if try APITokenRecord.filter(Column("name") == token.name).fetchCount(db) > 0 {
                throw StoreError(
                    "a token named '\(token.name)' exists already; pick another name or revoke it first "
                        + "(`devflow tokens revoke \(token.name)`)")
            }
            var record = token
            try record.insert(db)
            return record
        }
    }

    /// Every token, oldest first.
    public func tokens() throws -> [APITokenRecord] {
        try database.read { db in try APITokenRecord.order(Column("id")).fetchAll(db) }
    }

    /// The token with this hash; its last use is written at most once a minute, so reads stay reads.
    public func token(hash: String, usedAt now: Date) throws -> APITokenRecord? {
        guard var token = try database.read({ db in try APITokenRecord.filter(Column("hash") == hash).fetchOne(db) })
        else { return nil }
        if token.isValid(at: now), token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            token.lastUsedAt = now
            try database.write { db in
                try db.execute(
                    sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ?", arguments: [now, token.id])
            }
        }
        return token
    }

    /// Revokes a token by name.
    public func revokeToken(named name: String, at date: Date) throws -> APITokenRecord? {
        try database.write { db in
            guard var token = try APITokenRecord.filter(Column("name") == name).fetchOne(db), token.revokedAt == nil
            else { return nil }
            token.revokedAt = date
            try token.update(db)
            return token
        }
    }

    /// Whether a token that works at `date` exists.
    public func hasValidTokens(at date: Date) throws -> Bool {
        try database.read { db in
            try APITokenRecord.filter(Column("revokedAt") == nil)
                .filter(Column("expiresAt") == nil || Column("expiresAt") > date).fetchCount(db) > 0
        }
    }

    /// Appends to the audit log.
    public func recordAudit(_ entry: AuditRecord) throws {
        try database.write { db in
            var record = entry
            try record.insert(db)
        }
    }

    /// Audit entries in a window, oldest first.
    public func audit(since: Date?, until: Date?, limit: Int) throws -> [AuditRecord] {
        try database.read { db in
            var request = AuditRecord.order(Column("id"))
            if let since { request = request.filter(Column("at") >= since) }
            if let until { request = request.filter(Column("at") <= until) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    /// A page of runs, newest first, below a cursor: one statement that reads only the listed columns and lets
    /// SQLite format the times and pick the event's kind.
    public func runs(matching filter: RunFilter, before: Int64?, limit: Int) throws -> [RunListing] {
        let filters = filter.conditions(before: before, eventKind: "json_extract(event, '$.kind')")
        let conditions = filters.map(\.sql)
        var arguments: [(any DatabaseValueConvertible)?] = filters.map(\.value.databaseValue)
        arguments.append(limit)
        let iso = "'%Y-%m-%dT%H:%M:%fZ'"
        let sql = """
            SELECT id, pipeline, file, repository, ref, gitBranch, gitCommit, status, statusReason,
                   coalesce(json_extract(event, '$.kind'), 'unknown'), strftime(\(iso), queuedAt),
                   strftime(\(iso), startedAt), strftime(\(iso), finishedAt),
                   CAST(round((julianday(finishedAt) - julianday(startedAt)) * 86400000) AS INTEGER), cancelRequested,
                   strftime(\(iso), pausedAt), rerunOf, json_extract(event, '$.summary')
            FROM run \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY id DESC LIMIT ?
            """
        return try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                RunListing(
                    id: row[0], pipeline: row[1], file: row[2], repository: row[3], ref: row[4], branch: row[5],
                    commit: row[6], status: RunStatus(rawValue: row[7]) ?? .interrupted, statusReason: row[8],
                    eventKind: row[9], queuedAt: row[10], startedAt: row[11], finishedAt: row[12], durationMs: row[13],
                    cancelRequested: row[14], pausedAt: row[15], rerunOf: row[16], eventSummary: row[17])
            }
        }
    }

    /// A page of log chunks after a chunk id.
    public func logChunks(run: Int64, node: String?, after: Int64, limit: Int) throws -> [LogChunkRecord] {
        try database.read { db in
            var request = LogChunkRecord.filter(LogChunkRecord.Columns.runId == run)
            if let node { request = request.filter(LogChunkRecord.Columns.nodeId == node) }
            return try request.filter(LogChunkRecord.Columns.id > after).order(LogChunkRecord.Columns.id).limit(limit)
                .fetchAll(db)
        }
    }

    /// A named secret, created once.
    public func serverSecret(named name: String, generate: () -> String) throws -> String {
        try database.write { db in
            if let value = try String.fetchOne(
                db, sql: "SELECT value FROM serverSecret WHERE name = ?", arguments: [name])
            {
                return value
            }
            let value = generate()
            try db.execute(sql: "INSERT INTO serverSecret (name, value) VALUES (?, ?)", arguments: [name, value])
            return value
        }
    }

    /// State changes after an id.
    public func stateChanges(after: Int64, limit: Int) throws -> [StateChange] {
        flush()
        return try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, runId, nodeId, status, strftime('%Y-%m-%dT%H:%M:%fZ', at) FROM stateChange
                    WHERE id > ? ORDER BY id LIMIT ?
                    """, arguments: [after, limit]
            ).map { row in StateChange(id: row[0], run: row[1], node: row[2], status: row[3], at: row[4]) }
        }
    }
}
