import Foundation
import GRDB

/// What the server did with a webhook delivery.
public enum DeliveryOutcome: String, Codable, Sendable, DatabaseValueConvertible {
    /// A run was queued for it.
    case queued
    /// Recorded and ignored (a ping, a branch deletion, a closed pull request, an event DevFlow does not run on).
    case ignored
}

/// One webhook delivery, stored under its forge's unique delivery id so a redelivery never runs twice.
public struct DeliveryRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "delivery"
    /// Row id.
    public var id: Int64?
    /// `github`, `gitlab` or `bitbucket`.
    public var forge: String
    /// The forge's delivery id (`X-GitHub-Delivery`, GitLab's `Idempotency-Key`, Bitbucket's `X-Request-UUID`).
    public var deliveryKey: String
    /// The forge's event name (`push`, `pull_request`, `Merge Request Hook`…).
    public var eventName: String
    /// The repository's full name.
    public var repository: String
    /// When it arrived.
    public var receivedAt: Date
    /// What was done with it.
    public var outcome: DeliveryOutcome
    /// Why it was ignored.
    public var reason: String?
    /// The (first) run it queued; a Bitbucket push of several refs queues one run each (see `deliveryRun`).
    public var runId: Int64?
    /// The raw payload, capped, for audit.
    public var payload: String

    /// Creates a record.
    public init(
        id: Int64? = nil, forge: String, deliveryKey: String, eventName: String, repository: String, receivedAt: Date,
        outcome: DeliveryOutcome, reason: String?, runId: Int64? = nil, payload: String
    ) {
        self.id = id
        self.forge = forge
        self.deliveryKey = deliveryKey
        self.eventName = eventName
        self.repository = repository
        self.receivedAt = receivedAt
        self.outcome = outcome
        self.reason = reason
        self.runId = runId
        self.payload = payload
    }

    /// Takes the id SQLite assigned.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The answer to recording a delivery.
public enum DeliveryReceipt: Sendable, Equatable {
    /// Stored for the first time, with the runs it queued (none when ignored).
    case stored(delivery: Int64, runs: [Int64])
    /// Already stored: a redelivery, with the first delivery's runs.
    case duplicate(delivery: Int64, runs: [Int64])
}
