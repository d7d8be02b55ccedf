import GRDB

/// A node's state, as the store records it and the API shows it.
public enum NodeStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Not started yet.
    case pending
    /// An attempt is running.
    case running
    /// Its last attempt succeeded.
    case succeeded
    /// Its last attempt failed (or it could not start).
    case failed
    /// Its condition, `paths:` filter or a failed dependency kept it from running.
    case skipped
    /// Cancelled with its run.
    case cancelled
    /// Its inputs were unchanged since a successful run, so it did not run again.
    case upToDate = "up_to_date"
    /// A resumed or rerun run took its result from the run it resumes.
    case reused
    /// Its runner died while it ran.
    case interrupted

    /// Whether the node actually ran to an end in this run (what durations and success rates count).
    public var ran: Bool { self == .succeeded || self == .failed }

    /// Whether the node counts as a success for the nodes that need it: it succeeded, was up to date, or was reused.
    public var passes: Bool { self == .succeeded || self == .upToDate || self == .reused }

    /// Whether the node is done in this run: it will not start or change again (pending and running are not).
    public var isFinished: Bool { self != .pending && self != .running }
}

/// How one attempt of a node ended.
public enum AttemptStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Exit status 0, or an agent's passing result.
    case succeeded
    /// A non-zero exit, a signal, or an agent's failing result.
    case failed
    /// Killed at its `timeout`.
    case timedOut = "timed_out"
    /// Cancelled with its run.
    case cancelled
    /// Not started: its circuit breaker was open.
    case breakerOpen = "breaker_open"
    /// An agent or the runner could not run it (the message is in `error`).
    case error
}
