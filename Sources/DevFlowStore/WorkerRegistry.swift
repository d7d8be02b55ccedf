import Foundation

/// The processes that run the queue, as the store knows them: each `devflow serve` with workers and each
/// `devflow worker` registers when it starts, heartbeats while it runs and marks itself stopped when it ends. A
/// process that dies without saying so shows as `lost` once its heartbeat is older than `WorkerState.lostAfter`.
public protocol WorkerRegistry: Sendable {
    /// Records `worker` (or replaces the record of a process with the same id).
    func registerWorker(_ worker: WorkerRecord) throws
    /// Records that `id` is alive; returns false when no such worker is registered. On PostgreSQL the time is the
    /// database's clock, so a worker with a skewed clock is judged by the same clock as everyone else.
    @discardableResult
    func workerHeartbeat(id: String, at: Date) throws -> Bool
    /// Marks `id` stopped (a graceful shutdown).
    func stopWorker(id: String, at: Date) throws
    /// Every registered worker with its heartbeat's age and its running runs, newest first; stopped workers are
    /// kept for a day.
    func workers(now: Date) throws -> [WorkerSummary]
}

/// What a process that claims runs is.
public enum WorkerKind: String, Codable, Sendable, CaseIterable {
    /// The in-process workers of `devflow serve`.
    case server
    /// A `devflow worker` process.
    case worker
}

/// One registered worker process (its run claims use `id:slot`).
public struct WorkerRecord: Codable, Sendable, Equatable {
    /// `host:pid`.
    public var id: String
    /// The host name.
    public var host: String
    /// The process id on that host.
    public var pid: Int32
    /// A server's workers or a worker process.
    public var kind: WorkerKind
    /// Its labels as a JSON array (`["gpu","linux","x86_64"]`), sorted.
    public var labels: String
    /// How many runs it runs at once.
    public var slots: Int
    /// The DevFlow version it runs.
    public var version: String
    /// When it registered.
    public var startedAt: Date
    /// Its latest heartbeat.
    public var heartbeatAt: Date
    /// When it stopped gracefully, if it did.
    public var stoppedAt: Date?

    /// Creates a record; `labels` are stored sorted and without repeats.
    public init(
        id: String, host: String, pid: Int32, kind: WorkerKind, labels: [String], slots: Int, version: String,
        startedAt: Date
    ) {
        self.id = id
        self.host = host
        self.pid = pid
        self.kind = kind
        self.labels = Self.encodeLabels(labels)
        self.slots = slots
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = startedAt
        self.stoppedAt = nil
    }

    /// The labels as a list.
    public var labelList: [String] { Self.decodeLabels(labels) }

    /// `labels` as the sorted JSON array the store keeps (and the claim compares with a run's `labels`).
    public static func encodeLabels(_ labels: [String]) -> String {
        let data = (try? JSONEncoder().encode(Array(Set(labels)).sorted())) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The list a JSON array of labels holds (empty when it is not one).
    public static func decodeLabels(_ json: String?) -> [String] {
        guard let json, let list = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else { return [] }
        return list
    }
}

/// Whether a registered worker is working.
public enum WorkerState: String, Codable, Sendable, CaseIterable {
    /// Its heartbeat is recent.
    case online
    /// Its heartbeat stopped without a graceful stop (killed, its host gone, cut off by the network).
    case lost
    /// It stopped gracefully.
    case stopped

    /// A worker heartbeats every `heartbeatSeconds`; one silent for three beats is lost.
    public static let heartbeatSeconds: TimeInterval = 10
    /// How old a heartbeat may be before the worker counts as lost.
    public static let lostAfter: TimeInterval = heartbeatSeconds * 3
}

/// A worker as `devflow workers list` and the API show it.
public struct WorkerSummary: Sendable, Equatable {
    /// The record.
    public var worker: WorkerRecord
    /// Seconds since its latest heartbeat, by the store's clock.
    public var heartbeatAge: TimeInterval
    /// Runs it holds now.
    public var runningRuns: [Int64]

    /// Creates a summary.
    public init(worker: WorkerRecord, heartbeatAge: TimeInterval, runningRuns: [Int64]) {
        self.worker = worker
        self.heartbeatAge = heartbeatAge
        self.runningRuns = runningRuns
    }

    /// Online, lost or stopped.
    public var state: WorkerState {
        if worker.stoppedAt != nil { return .stopped }
        return heartbeatAge > WorkerState.lostAfter ? .lost : .online
    }
}
