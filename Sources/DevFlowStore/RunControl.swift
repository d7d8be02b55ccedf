import Foundation
import GRDB

/// What a run's engine learns at each heartbeat: whether to stop, and whether to hold back new steps.
public struct RunControl: Sendable, Equatable {
    /// Why the run should stop, if someone (a person, a newer run of its concurrency group) asked.
    public var cancelRequested: String?
    /// Whether the run is paused: running steps finish, no new step starts until it is resumed.
    public var paused: Bool

    /// Creates a control state.
    public init(cancelRequested: String? = nil, paused: Bool = false) {
        self.cancelRequested = cancelRequested
        self.paused = paused
    }
}

/// A repository whose queue is paused: its deliveries are still verified and recorded, its queued runs wait
/// unclaimed until it is resumed; runs already running go on.
public struct RepositoryPause: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "repositoryPause"
    /// The repository's full name.
    public var repository: String
    /// When it was paused.
    public var pausedAt: Date
    /// Who paused it (a token's name, or `cli:USER`).
    public var actor: String
    /// Why, as the person gave it.
    public var reason: String?

    /// Creates a record.
    public init(repository: String, pausedAt: Date, actor: String, reason: String?) {
        self.repository = repository
        self.pausedAt = pausedAt
        self.actor = actor
        self.reason = reason
    }
}

/// How a finished run is run again, at the same commit with the same event.
public enum RerunMode: Sendable, Equatable {
    /// Every step again.
    case all
    /// The steps that did not succeed (failed, cancelled, skipped because a need failed); succeeded steps and their
    /// outputs are reused.
    case failed
    /// `node` (a node id, or a step id for all its matrix legs) and every node that needs it, directly or not; the
    /// other succeeded steps are reused.
    case from(node: String)

    /// The word the API and the audit log use: `all`, `failed` or `from`.
    public var name: String {
        switch self {
        case .all: "all"
        case .failed: "failed"
        case .from: "from"
        }
    }
}

/// Pausing and resuming, at the level of intent (the queue's other half; see `RunQueue`).
public protocol RunControls: Sendable {
    /// Pauses a queued or running run; false when it has finished or was paused already.
    func pause(run: Int64, at date: Date) throws -> Bool
    /// Resumes a paused run; false when it was not paused.
    func resume(run: Int64) throws -> Bool
    /// Pauses a repository's queue (again: keeps the first pause's time, takes the new actor and reason).
    func pauseRepository(_ pause: RepositoryPause) throws
    /// Resumes a repository's queue; false when it was not paused.
    func resumeRepository(_ repository: String) throws -> Bool
    /// The paused repositories, by name.
    func repositoryPauses() throws -> [RepositoryPause]
}

extension SQLiteRunStore: RunControls {
    /// Pauses a queued or running run.
    public func pause(run: Int64, at date: Date) throws -> Bool {
        try immediate { db in
            try db.execute(
                sql: """
                    UPDATE run SET pausedAt = ? WHERE id = ? AND pausedAt IS NULL AND status IN ('queued', 'running')
                    """, arguments: [date, run])
            return db.changesCount == 1
        }
    }

    /// Resumes a paused run (a queued one can be claimed again; a running one's engine starts steps again at its
    /// next heartbeat).
    public func resume(run: Int64) throws -> Bool {
        try immediate { db in
            try db.execute(
                sql: "UPDATE run SET pausedAt = NULL WHERE id = ? AND pausedAt IS NOT NULL", arguments: [run])
            return db.changesCount == 1
        }
    }

    /// Pauses a repository's queue.
    public func pauseRepository(_ pause: RepositoryPause) throws {
        try immediate { db in
            try db.execute(
                sql: """
                    INSERT INTO repositoryPause (repository, pausedAt, actor, reason) VALUES (?, ?, ?, ?)
                    ON CONFLICT (repository) DO UPDATE SET actor = excluded.actor, reason = excluded.reason
                    """, arguments: [pause.repository, pause.pausedAt, pause.actor, pause.reason])
        }
    }

    /// Resumes a repository's queue.
    public func resumeRepository(_ repository: String) throws -> Bool {
        try immediate { db in
            try db.execute(sql: "DELETE FROM repositoryPause WHERE repository = ?", arguments: [repository])
            return db.changesCount == 1
        }
    }

    /// The paused repositories.
    public func repositoryPauses() throws -> [RepositoryPause] {
        try database.read { db in try RepositoryPause.order(Column("repository")).fetchAll(db) }
    }
}
