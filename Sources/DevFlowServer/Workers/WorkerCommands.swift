import DevFlowGraph
import DevFlowStore
import DevFlowStorePostgres
import Foundation
import Logging
import ServiceLifecycle

/// `devflow worker`: a process that claims runs from a shared store and runs them on its own machine (mirror,
/// checkout, compile, `RunEngine`), with no HTTP listener. It reads the same server configuration as `devflow serve`
/// (repositories, clone tokens, secrets files), registers in the store, heartbeats, and rescues runs of workers
/// whose lease ran out.
public enum WorkerCommand {
    /// Runs workers until SIGTERM or SIGINT (graceful: no new claims, running steps get the grace period); returns
    /// the exit code.
    public static func run(
        config: String, db: String?, data: String?, labels: [String]?, slots: Int?, processes: Int? = nil
    ) async -> Int32 {
        if let problem = WorkerLabel.problem(labels ?? []) {
            FileHandle.standardError.write(Data("devflow worker: \(problem)\n".utf8))
            return 2
        }
        var settings: ServerSettings
        do {
            settings = try ServerSettings.load(
                path: config, db: db, data: data, workers: slots, processes: processes, labels: labels)
        } catch {
            FileHandle.standardError.write(Data("devflow worker: \(error)\n".utf8))
            return 2
        }
        guard settings.workers > 0 else {
            FileHandle.standardError.write(
                Data(
                    "devflow worker: a worker needs at least one slot; pass --slots N (1 to \(ServerSettings.workerRange.upperBound))\n"
                        .utf8))
            return 2
        }
        settings.workerKind = .worker
        if settings.agentExecutable == nil { settings.agentExecutable = ServeCommand.runningExecutable() }
        raiseOpenFileLimit()
        do {
            let context = try ServerContext(settings: settings)
            var logger = Logger(label: "devflow.worker")
            logger.logLevel = .info
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(service: WorkerPool(context: context, logger: logger)),
                        .init(service: LeaseRescuer(context: context, logger: logger)),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            return 0
        } catch {
            FileHandle.standardError.write(Data("devflow worker: \(error)\n".utf8))
            return 3
        }
    }
}

/// A registered worker as `devflow workers list --format json` and `GET /api/v1/workers` show it.
public struct WorkerRepresentation: Decodable, Sendable, Equatable {
    /// `host:pid`.
    public var id: String
    /// Its host.
    public var host: String
    /// Its process id.
    public var pid: Int32
    /// `server` or `worker`.
    public var kind: WorkerKind
    /// `online`, `lost` or `stopped`.
    public var state: WorkerState
    /// Its labels, sorted.
    public var labels: [String]
    /// Runs it runs at once.
    public var slots: Int
    /// The ids of the runs it holds.
    public var runningRuns: [Int64]
    /// The DevFlow version it runs.
    public var version: String
    /// When it registered (ISO 8601).
    public var startedAt: String
    /// Seconds since its latest heartbeat.
    public var heartbeatAgeSeconds: Double
    /// When it stopped gracefully (ISO 8601), if it did.
    public var stoppedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, host, pid, kind, state, labels, slots, version
        case runningRuns = "running_runs"
        case startedAt = "started_at"
        case heartbeatAgeSeconds = "heartbeat_age_seconds"
        case stoppedAt = "stopped_at"
    }

    /// The object `GET /api/v1/workers` and `devflow workers list --format json` print (`stopped_at` null, not
    /// left out, as the API's schema says).
    public var json: JSONValue {
        .object([
            "id": .string(id), "host": .string(host), "pid": .number(Double(pid)), "kind": .string(kind.rawValue),
            "state": .string(state.rawValue), "labels": .array(labels.map(JSONValue.string)),
            "slots": .number(Double(slots)), "running_runs": .array(runningRuns.map { .number(Double($0)) }),
            "version": .string(version), "started_at": .string(startedAt),
            "heartbeat_age_seconds": .number(heartbeatAgeSeconds),
            "stopped_at": stoppedAt.map(JSONValue.string) ?? .null,
        ])
    }

    /// The representation of `summary`.
    public init(_ summary: WorkerSummary) {
        let worker = summary.worker
        id = worker.id
        host = worker.host
        pid = worker.pid
        kind = worker.kind
        state = summary.state
        labels = worker.labelList
        slots = worker.slots
        runningRuns = summary.runningRuns
        version = worker.version
        startedAt = StoredDate.iso8601(worker.startedAt)
        heartbeatAgeSeconds = (summary.heartbeatAge * 10).rounded() / 10
        stoppedAt = worker.stoppedAt.map(StoredDate.iso8601)
    }
}

/// `devflow workers list | labels`: the registry, read from the store.
public enum WorkerCommands {
    /// What a command prints.
    public typealias Output = TokenCommands.Output

    /// `devflow workers list [--format text|json]`.
    public static func list(database: String, format: String) -> Output {
        guard format == "text" || format == "json" else {
            return Output(errors: "devflow: --format must be text or json; found '\(format)'\n", code: 2)
        }
        do {
            let workers = try StoreLocation.open(database).workers(now: Date()).map(WorkerRepresentation.init)
            if format == "json" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let list = JSONValue.array(workers.map(\.json))
                return Output(text: String(decoding: try encoder.encode(list), as: UTF8.self) + "\n")
            }
            guard !workers.isEmpty else {
                return Output(
                    text: "no workers have registered; start 'devflow serve' (with workers) or 'devflow worker'\n")
            }
            var rows = [["ID", "KIND", "STATE", "SLOTS", "RUNNING", "LABELS", "HEARTBEAT", "VERSION"]]
            for worker in workers {
                rows.append([
                    worker.id, worker.kind.rawValue, worker.state.rawValue, String(worker.slots),
                    worker.runningRuns.isEmpty ? "-" : worker.runningRuns.map { "#\($0)" }.joined(separator: ","),
                    worker.labels.joined(separator: ","), "\(Int(worker.heartbeatAgeSeconds))s ago", worker.version,
                ])
            }
            return Output(text: TokenCommands.table(rows))
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow workers labels`: every label an online worker has, one per line (for `worker_labels:` in
    /// `.devflow-lint.yml`).
    public static func labels(database: String) -> Output {
        do {
            let online = try StoreLocation.open(database).workers(now: Date()).filter { $0.state == .online }
            let labels = Set(online.flatMap(\.worker.labelList)).sorted()
            return Output(text: labels.map { $0 + "\n" }.joined())
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }
}
