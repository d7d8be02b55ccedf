import Foundation
import GRDB

/// One pipeline run: what was run (the compiled graph and its hash), why (the event), on what (git facts), and when.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "run"
    /// The run's id (assigned on insert).
    public var id: Int64?
    /// The pipeline's name.
    public var pipeline: String
    /// The file the pipeline was compiled from.
    public var file: String
    /// SHA-256 of the graph's canonical JSON.
    public var graphHash: String
    /// The graph's canonical JSON.
    public var graphJSON: String
    /// The triggering event as JSON (kind, branch, changed paths, inputs…).
    public var event: String
    /// The commit, branch and author time, when known.
    public var gitCommit: String?
    /// The branch.
    public var gitBranch: String?
    /// The commit's author time.
    public var gitAuthorTime: Date?
    /// The run's state.
    public var status: RunStatus
    /// When the run was queued.
    public var queuedAt: Date
    /// When it started.
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// The runner's process id, host and last heartbeat: how a crashed run is recognised.
    public var pid: Int32
    /// The runner's host name.
    public var host: String
    /// The last heartbeat.
    public var heartbeatAt: Date
    /// The run this one resumes, if any.
    public var resumedFrom: Int64?
    /// Server runs: the repository's full name on its forge (nil for local runs).
    public var repository: String?
    /// Server runs: the git ref the event named (`refs/heads/main`, `refs/pull/7/head`).
    public var ref: String?
    /// Server runs: the worker holding the run's lease while it runs.
    public var workerId: String?
    /// Server runs: when the lease ends unless the worker renews it.
    public var leaseExpiresAt: Date?
    /// Server runs: how many times a worker claimed it (more than one after a crash).
    public var claims: Int
    /// The concurrency group, once evaluated.
    public var concurrencyGroup: String?
    /// Whether a newer run of the group cancels this one while it runs.
    public var cancelInProgress: Bool
    /// Why the run ended as it did, when that is not obvious from its nodes ("superseded by run 12", the reason no
    /// trigger matched, the first compile error).
    public var statusReason: String?
    /// The compiler's diagnostics (JSON) of a `config_error` run.
    public var diagnostics: String?
    /// Whether steps get no secrets (a pull request from a fork).
    public var withoutSecrets: Bool
    /// Set when someone (or a newer run) asked a running run to stop; its worker cancels it.
    public var cancelRequested: String?
    /// When someone paused the run: a queued run is not claimed, a running one starts no new step.
    public var pausedAt: Date?
    /// The run this one reruns (`POST /api/v1/runs/{id}/rerun`).
    public var rerunOf: Int64?
    /// A rerun from a node: this node and every node that needs it run again; the rest is reused from `resumedFrom`.
    public var rerunFrom: String?
    /// The worker labels the run needs (`runs_on:`, a JSON array), learnt when a worker first compiled it; only a
    /// worker with all of them claims it.
    public var labels: String?

    /// Creates a record.
    public init(
        id: Int64?, pipeline: String, file: String, graphHash: String, graphJSON: String, event: String,
        gitCommit: String?, gitBranch: String?, gitAuthorTime: Date?, status: RunStatus, queuedAt: Date,
        startedAt: Date?, finishedAt: Date?, pid: Int32, host: String, heartbeatAt: Date, resumedFrom: Int64?,
        repository: String? = nil, ref: String? = nil, workerId: String? = nil, leaseExpiresAt: Date? = nil,
        claims: Int = 0, concurrencyGroup: String? = nil, cancelInProgress: Bool = false, statusReason: String? = nil,
        diagnostics: String? = nil, withoutSecrets: Bool = false, cancelRequested: String? = nil,
        pausedAt: Date? = nil, rerunOf: Int64? = nil, rerunFrom: String? = nil
    ) {
        self.pausedAt = pausedAt
        self.rerunOf = rerunOf
        self.rerunFrom = rerunFrom
        self.repository = repository
        self.ref = ref
        self.workerId = workerId
        self.leaseExpiresAt = leaseExpiresAt
        self.claims = claims
        self.concurrencyGroup = concurrencyGroup
        self.cancelInProgress = cancelInProgress
        self.statusReason = statusReason
        self.diagnostics = diagnostics
        self.withoutSecrets = withoutSecrets
        self.cancelRequested = cancelRequested
        self.id = id
        self.pipeline = pipeline
        self.file = file
        self.graphHash = graphHash
        self.graphJSON = graphJSON
        self.event = event
        self.gitCommit = gitCommit
        self.gitBranch = gitBranch
        self.gitAuthorTime = gitAuthorTime
        self.status = status
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.pid = pid
        self.host = host
        self.heartbeatAt = heartbeatAt
        self.resumedFrom = resumedFrom
    }

    /// Columns.
    public enum Columns {
        static let id = Column(CodingKeys.id)
        static let pipeline = Column(CodingKeys.pipeline)
        static let status = Column(CodingKeys.status)
        static let heartbeatAt = Column(CodingKeys.heartbeatAt)
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One node of a run: its final state and why.
public struct NodeRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "node"
    /// The run.
    public var runId: Int64
    /// The node id (`test[suite=Core]`).
    public var nodeId: String
    /// Its state (stored as the state's text).
    public var status: NodeStatus
    /// Why it ended that way (the skip rule, the failure, the breaker…).
    public var reason: String?
    /// Attempts made.
    public var attempts: Int
    /// When it started.
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// The input fingerprint of a successful run, for up-to-date checks.
    public var fingerprint: String?
    /// Whether its failure was allowed (`continue_on_error`).
    public var allowedFailure: Bool
    /// The Markdown its last attempt wrote to `$DEVFLOW_SUMMARY` (masked), if any.
    public var summary: String?

    /// Creates a record.
    public init(
        runId: Int64, nodeId: String, status: NodeStatus, reason: String?, attempts: Int, startedAt: Date?,
        finishedAt: Date?, fingerprint: String?, allowedFailure: Bool, summary: String? = nil
    ) {
        self.summary = summary
        self.runId = runId
        self.nodeId = nodeId
        self.status = status
        self.reason = reason
        self.attempts = attempts
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.fingerprint = fingerprint
        self.allowedFailure = allowedFailure
    }

    /// Columns.
    public enum Columns {
        static let runId = Column(CodingKeys.runId)
        static let nodeId = Column(CodingKeys.nodeId)
        static let status = Column(CodingKeys.status)
        static let fingerprint = Column(CodingKeys.fingerprint)
    }
}

/// One attempt of a node: exit status, signal, duration and, when another attempt followed, why.
public struct AttemptRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "attempt"
    /// Row id.
    public var id: Int64?
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// 1-based attempt number.
    public var number: Int
    /// How it ended (stored as the state's text).
    public var status: AttemptStatus
    /// The exit code, when the process exited.
    public var exitCode: Int32?
    /// The signal that ended it, if any.
    public var signal: Int32?
    /// When it started.
    public var startedAt: Date
    /// When it finished.
    public var finishedAt: Date
    /// How long it took, in milliseconds.
    public var durationMs: Int
    /// Why it was retried (nil for the last attempt).
    public var retryReason: String?
    /// An agent's or the runner's error message.
    public var error: String?

    /// Creates a record.
    public init(
        id: Int64?, runId: Int64, nodeId: String, number: Int, status: AttemptStatus, exitCode: Int32?, signal: Int32?,
        startedAt: Date, finishedAt: Date, durationMs: Int, retryReason: String?, error: String?
    ) {
        self.id = id
        self.runId = runId
        self.nodeId = nodeId
        self.number = number
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.retryReason = retryReason
        self.error = error
    }

    /// Columns.
    public enum Columns {
        static let runId = Column(CodingKeys.runId)
        static let nodeId = Column(CodingKeys.nodeId)
        static let number = Column(CodingKeys.number)
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A chunk of log lines of one attempt (already masked).
public struct LogChunkRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "logChunk"
    /// Row id.
    public var id: Int64?
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// The attempt number.
    public var attempt: Int
    /// `stdout` or `stderr`.
    public var stream: String
    /// The lines, joined with newlines.
    public var text: String
    /// When the chunk was written (nil for chunks stored before the store kept it).
    public var at: Date?

    /// Creates a record.
    public init(
        id: Int64?, runId: Int64, nodeId: String, attempt: Int, stream: String, text: String, at: Date? = nil
    ) {
        self.id = id
        self.runId = runId
        self.nodeId = nodeId
        self.attempt = attempt
        self.stream = stream
        self.text = text
        self.at = at
    }

    /// Columns.
    public enum Columns {
        static let runId = Column(CodingKeys.runId)
        static let nodeId = Column(CodingKeys.nodeId)
        static let id = Column(CodingKeys.id)
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One output of a node (`key=value` written to `$DEVFLOW_OUTPUT`, masked).
public struct OutputRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "output"
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// The output name.
    public var name: String
    /// The value.
    public var value: String

    /// Creates a record.
    public init(runId: Int64, nodeId: String, name: String, value: String) {
        self.runId = runId
        self.nodeId = nodeId
        self.name = name
        self.value = value
    }

    /// Columns.
    public enum Columns {
        static let runId = Column(CodingKeys.runId)
        static let nodeId = Column(CodingKeys.nodeId)
    }
}

/// A circuit breaker's persisted state, shared by every process on the database.
public struct BreakerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "breaker"
    /// The breaker's name.
    public var name: String
    /// `closed`, `open` or `half_open`.
    public var state: String
    /// `normal`, `forced_open` or `disabled` (set by an operator).
    public var mode: String
    /// When it last opened.
    public var openedAt: Date?
    /// Probe calls started while half-open.
    public var halfOpenStarted: Int
    /// Probe calls that succeeded while half-open.
    public var halfOpenSucceeded: Int
    /// The window of recent calls as JSON: `[{"at": …, "ok": true}]`.
    public var window: String
    /// When it last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(
        name: String, state: String, mode: String, openedAt: Date?, halfOpenStarted: Int, halfOpenSucceeded: Int,
        window: String, updatedAt: Date
    ) {
        self.name = name
        self.state = state
        self.mode = mode
        self.openedAt = openedAt
        self.halfOpenStarted = halfOpenStarted
        self.halfOpenSucceeded = halfOpenSucceeded
        self.window = window
        self.updatedAt = updatedAt
    }

    /// A closed breaker with an empty window.
    public static func closed(_ name: String, at date: Date) -> BreakerRecord {
        BreakerRecord(
            name: name, state: "closed", mode: "normal", openedAt: nil, halfOpenStarted: 0, halfOpenSucceeded: 0,
            window: "[]",
            updatedAt: date)
    }
}

/// One change of a breaker's state, with its reason.
public struct BreakerTransitionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "breakerTransition"
    /// Row id.
    public var id: Int64?
    /// The breaker.
    public var name: String
    /// The state before.
    public var fromState: String
    /// The state after.
    public var toState: String
    /// Why.
    public var reason: String
    /// When.
    public var at: Date
    /// The run that caused it, if any.
    public var runId: Int64?

    /// Creates a record.
    public init(id: Int64?, name: String, fromState: String, toState: String, reason: String, at: Date, runId: Int64?) {
        self.id = id
        self.name = name
        self.fromState = fromState
        self.toState = toState
        self.reason = reason
        self.at = at
        self.runId = runId
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

// Hand-written encodings for the records written once per attempt: Codable's generic path is measurably slower
// on the runner's hot path (a 1,000-step chain writes 2,000 rows).

extension AttemptRecord {
    /// Column values, without going through Codable.
    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["runId"] = runId
        container["nodeId"] = nodeId
        container["number"] = number
        container["status"] = status
        container["exitCode"] = exitCode
        container["signal"] = signal
        container["startedAt"] = startedAt
        container["finishedAt"] = finishedAt
        container["durationMs"] = durationMs
        container["retryReason"] = retryReason
        container["error"] = error
    }
}

extension NodeRecord {
    /// Column values, without going through Codable.
    public func encode(to container: inout PersistenceContainer) throws {
        container["runId"] = runId
        container["nodeId"] = nodeId
        container["status"] = status
        container["reason"] = reason
        container["attempts"] = attempts
        container["startedAt"] = startedAt
        container["finishedAt"] = finishedAt
        container["fingerprint"] = fingerprint
        container["allowedFailure"] = allowedFailure
        container["summary"] = summary
    }
}

extension OutputRecord {
    /// Column values, without going through Codable.
    public func encode(to container: inout PersistenceContainer) throws {
        container["runId"] = runId
        container["nodeId"] = nodeId
        container["name"] = name
        container["value"] = value
    }
}

extension LogChunkRecord {
    /// Column values, without going through Codable.
    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id
        container["runId"] = runId
        container["nodeId"] = nodeId
        container["attempt"] = attempt
        container["stream"] = stream
        container["text"] = text
        container["at"] = StoredDate.text(at)
    }
}

/// A finding an agent reported in one attempt (masked: secrets never reach the store).
public struct FindingRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "finding"
    /// Row id.
    public var id: Int64?
    /// The run.
    public var runId: Int64
    /// The node.
    public var nodeId: String
    /// The attempt number.
    public var attempt: Int
    /// The agent's rule id.
    public var rule: String
    /// `low`, `medium` or `high`.
    public var severity: String
    /// Repository-relative file ("" when the finding is about no file).
    public var file: String
    /// 1-based line (0 when none).
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// 1-based end line.
    public var endLine: Int
    /// 1-based end column (exclusive).
    public var endColumn: Int
    /// Message for people.
    public var message: String
    /// A unified diff that fixes the problem, when the agent gave one.
    public var fix: String?

    /// Creates a record.
    public init(
        id: Int64? = nil, runId: Int64, nodeId: String, attempt: Int, rule: String, severity: String, file: String,
        line: Int,
        column: Int, endLine: Int, endColumn: Int, message: String, fix: String? = nil
    ) {
        self.id = id
        self.runId = runId
        self.nodeId = nodeId
        self.attempt = attempt
        self.rule = rule
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
        self.message = message
        self.fix = fix
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
