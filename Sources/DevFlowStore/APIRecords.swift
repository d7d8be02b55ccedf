import Foundation
import GRDB

/// What an API token may do. Each role includes the one before it: a viewer reads; an operator also cancels, pauses,
/// reruns, triggers and operates breakers; an admin also manages tokens and repositories.
public enum APIRole: String, Codable, Sendable, CaseIterable, Comparable, DatabaseValueConvertible {
    /// Reads runs, logs, breakers and deliveries.
    case viewer
    /// Also acts on runs and breakers.
    case `operator`
    /// Also manages tokens and reads the audit log.
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    /// Whether `lhs` grants less than `rhs`.
    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// An API token as the store keeps it: never the token, only its SHA-256 (hex), with its role and lifetime.
public struct APITokenRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "apiToken"
    /// Row id.
    public var id: Int64?
    /// The token's name (unique): who the audit log says acted.
    public var name: String
    /// What it may do.
    public var role: APIRole
    /// SHA-256 of the token, lowercase hex.
    public var hash: String
    /// When it was created.
    public var createdAt: Date
    /// When it stops working, if ever.
    public var expiresAt: Date?
    /// When it was last used (updated at most once a minute).
    public var lastUsedAt: Date?
    /// When it was revoked.
    public var revokedAt: Date?

    /// Creates a record.
    public init(
        id: Int64? = nil, name: String, role: APIRole, hash: String, createdAt: Date, expiresAt: Date?,
        lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.hash = hash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token works at `date` (not revoked, not expired).
    public func isValid(at date: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { date < $0 } ?? true)
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One change made through the API or the CLI: who, what, to what, when and from where.
public struct AuditRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "audit"
    /// Row id.
    public var id: Int64?
    /// When it happened.
    public var at: Date
    /// The token's name (API) or `cli:USER` (the command line on the server's machine).
    public var actor: String
    /// What was done: `run.cancel`, `breaker.reset`, `token.create`…
    public var action: String
    /// What it was done to: `run/12`, `breaker/llm`, `token/ci`.
    public var target: String
    /// The client's address (`local` for the command line).
    public var address: String
    /// More about it (the reason given, the role of a new token), if anything.
    public var details: String?

    /// Creates a record.
    public init(
        id: Int64? = nil, at: Date, actor: String, action: String, target: String, address: String,
        details: String? = nil
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.address = address
        self.details = details
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Which runs a listing shows; nil fields do not filter.
public struct RunFilter: Sendable, Equatable {
    /// The repository's full name.
    public var repository: String?
    /// The branch.
    public var branch: String?
    /// The run's state.
    public var status: RunStatus?
    /// The triggering event's kind (`push`, `pull_request`, `manual`, `schedule`…).
    public var event: String?
    /// Runs queued at or after this moment.
    public var since: Date?

    /// Creates a filter.
    public init(
        repository: String? = nil, branch: String? = nil, status: RunStatus? = nil, event: String? = nil,
        since: Date? = nil
    ) {
        self.repository = repository
        self.branch = branch
        self.status = status
        self.event = event
        self.since = since
    }
}

/// A value a condition shared by the backends compares a column with; each backend binds it its own way.
public enum SQLValue: Sendable {
    /// Text.
    case text(String)
    /// An integer.
    case integer(Int64)
    /// A moment.
    case date(Date)
}

extension RunFilter {
    /// The filter (and the cursor `before`) as SQL conditions with `?` placeholders and their values, shared by every
    /// backend; `eventKind` is the dialect's expression for the event's `kind`.
    public func conditions(before: Int64?, eventKind: String) -> [(sql: String, value: SQLValue)] {
        var conditions: [(sql: String, value: SQLValue)] = []
        if let before { conditions.append(("id < ?", .integer(before))) }
        if let repository { conditions.append(("repository = ?", .text(repository))) }
        if let branch { conditions.append(("gitBranch = ?", .text(branch))) }
        if let status { conditions.append(("status = ?", .text(status.rawValue))) }
        if let since { conditions.append(("queuedAt >= ?", .date(since))) }
        if let event { conditions.append(("\(eventKind) = ?", .text(event))) }
        return conditions
    }
}

/// A run as a listing shows it: the columns a list needs (not the graph, event or diagnostics), with the event's
/// kind and the times already in ISO 8601 (`2026-12-02T03:04:05.678Z`), as the API answers them.
public struct RunListing: Sendable, Equatable {
    /// The run's id.
    public var id: Int64
    /// The pipeline's name.
    public var pipeline: String
    /// The file it was compiled from.
    public var file: String
    /// Server runs: the repository's full name.
    public var repository: String?
    /// Server runs: the git ref of the event.
    public var ref: String?
    /// The branch.
    public var branch: String?
    /// The commit.
    public var commit: String?
    /// The run's state.
    public var status: RunStatus
    /// Why it ended as it did, when that is not obvious.
    public var statusReason: String?
    /// The triggering event's kind (`push`, `manual`…), `unknown` if the event has none.
    public var eventKind: String
    /// When it was queued, started and finished (ISO 8601).
    public var queuedAt: String
    /// When it started.
    public var startedAt: String?
    /// When it finished.
    public var finishedAt: String?
    /// How long it ran, in milliseconds.
    public var durationMs: Int64?
    /// Why someone asked it to stop, if they did.
    public var cancelRequested: String?
    /// When it was paused, if it is (ISO 8601).
    public var pausedAt: String?
    /// The run it reruns, if it is a rerun.
    public var rerunOf: Int64?
    /// The event's one-line summary (`push to branch 'main' by ada`), when it has one.
    public var eventSummary: String?

    /// Creates a summary.
    public init(
        id: Int64, pipeline: String, file: String, repository: String?, ref: String?, branch: String?,
        commit: String?, status: RunStatus, statusReason: String?, eventKind: String, queuedAt: String,
        startedAt: String?, finishedAt: String?, durationMs: Int64?, cancelRequested: String?,
        pausedAt: String? = nil, rerunOf: Int64? = nil, eventSummary: String? = nil
    ) {
        self.eventSummary = eventSummary
        self.pausedAt = pausedAt
        self.rerunOf = rerunOf
        self.id = id
        self.pipeline = pipeline
        self.file = file
        self.repository = repository
        self.ref = ref
        self.branch = branch
        self.commit = commit
        self.status = status
        self.statusReason = statusReason
        self.eventKind = eventKind
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.cancelRequested = cancelRequested
    }
}

/// What the API needs from a store besides runs: tokens, the audit log and keyset-paginated run listings.
public protocol APIStore: Sendable {
    /// Stores a new token; fails with `StoreError` if the name is taken.
    func createToken(_ token: APITokenRecord) throws -> APITokenRecord
    /// Every token, oldest first (revoked ones included).
    func tokens() throws -> [APITokenRecord]
    /// The token whose SHA-256 is `hash`, if any; records the use at `now` (at most once a minute).
    func token(hash: String, usedAt now: Date) throws -> APITokenRecord?
    /// Revokes the token named `name`; returns it, or nil if there is none (or it was revoked already).
    func revokeToken(named name: String, at date: Date) throws -> APITokenRecord?
    /// Whether any token that works at `date` exists.
    func hasValidTokens(at date: Date) throws -> Bool
    /// Appends an entry to the audit log.
    func recordAudit(_ entry: AuditRecord) throws
    /// Audit entries between `since` and `until` (inclusive), oldest first, at most `limit`.
    func audit(since: Date?, until: Date?, limit: Int) throws -> [AuditRecord]
    /// Up to `limit` runs matching `filter`, newest first, with ids below `before` (keyset pagination: a page
    /// never shifts when runs are queued meanwhile).
    func runs(matching filter: RunFilter, before: Int64?, limit: Int) throws -> [RunListing]
    /// Up to `limit` log chunks of a run (one node, if given) with ids above `after`, in order: a log read page by
    /// page, so a log of a million lines is streamed in bounded memory.
    func logChunks(run: Int64, node: String?, after: Int64, limit: Int) throws -> [LogChunkRecord]
    /// The server-wide secret named `name` (the key that signs pagination cursors), made by `generate` on first use
    /// and shared by every server on the store.
    func serverSecret(named name: String, generate: () -> String) throws -> String
    /// Up to `limit` run and node state changes after change `after`, oldest first: the feed of `/api/v1/events`.
    func stateChanges(after: Int64, limit: Int) throws -> [StateChange]
    /// The id of the newest change in the state-change feed (0 when empty): where a page's event stream starts.
    func lastStateChangeID() throws -> Int64
}

/// Everything a server, its workers and the CLI ask of a store: the embedded SQLite store and the shared
/// PostgreSQL store both provide it.
public typealias ServerStore = RunStore & RunQueue & RunControls & APIStore & AnalyticsSource & WorkerRegistry

/// One state change: a run's new state, or a node's final one (`node` set), with when it was written.
public struct StateChange: Sendable, Equatable {
    /// The change's position in the feed.
    public var id: Int64
    /// The run.
    public var run: Int64
    /// The node, for a node's change.
    public var node: String?
    /// The new state.
    public var status: String
    /// When it was written (ISO 8601).
    public var at: String

    /// Creates a change.
    public init(id: Int64, run: Int64, node: String?, status: String, at: String) {
        self.id = id
        self.run = run
        self.node = node
        self.status = status
        self.at = at
    }
}
