import DevFlowStore
import Foundation

extension PostgresRunStore: WorkerRegistry {
    /// Records `worker`, replacing a record with its id; its heartbeat is the database's clock.
    public func registerWorker(_ worker: WorkerRecord) throws {
        try write { session in
            try session.execute("DELETE FROM worker WHERE id = ?", [worker.id])
            try session.insert(worker, into: "worker", returningID: false, keepingID: true)
            try session.execute(
                "UPDATE worker SET heartbeatAt = now() + make_interval(secs => ?) WHERE id = ?",
                [offset(worker.heartbeatAt), worker.id])
        }
    }

    /// Moves the heartbeat of `id` to the database's now (`at` is the worker's clock, not trusted across hosts: see
    /// `offset`).
    @discardableResult
    public func workerHeartbeat(id: String, at: Date) throws -> Bool {
        try read { session in
            try session.execute(
                "UPDATE worker SET heartbeatAt = now() + make_interval(secs => ?) WHERE id = ?", [offset(at), id]) == 1
        }
    }

    /// Marks `id` stopped.
    public func stopWorker(id: String, at: Date) throws {
        try read { session in
            try session.execute(
                """
                UPDATE worker SET stoppedAt = now() + make_interval(secs => ?), heartbeatAt = now() + make_interval(secs => ?)
                WHERE id = ?
                """, [offset(at), offset(at), id])
        }
    }

    /// Registered workers, newest first, with their heartbeat's age by the database's clock and the runs each
    /// holds; workers stopped more than a day ago are left out.
    public func workers(now: Date) throws -> [WorkerSummary] {
        try read { session in
            let records = try session.fetchAll(
                WorkerRecord.self,
                """
                SELECT * FROM worker WHERE stoppedAt IS NULL OR stoppedAt > now() + make_interval(secs => ?) - interval '1 day'
                ORDER BY startedAt DESC, id
                """, [offset(now)])
            let ages = try session.rows(
                "SELECT id, EXTRACT(EPOCH FROM now() + make_interval(secs => ?) - heartbeatAt)::float8 FROM worker",
                [offset(now)])
            var age: [String: Double] = [:]
            for row in ages {
                let (id, seconds) = try row.decode((String, Double).self)
                age[id] = seconds
            }
            let running = try session.rows(
                "SELECT id, workerId FROM run WHERE status = 'running' AND workerId IS NOT NULL ORDER BY id")
            var holders: [(Int64, String)] = []
            for row in running { holders.append(try row.decode((Int64, String).self)) }
            return records.map { record in
                let prefix = record.id + ":"
                return WorkerSummary(
                    worker: record, heartbeatAge: max(0, age[record.id] ?? 0),
                    runningRuns: holders.filter { $0.1.hasPrefix(prefix) }.map(\.0))
            }
        }
    }
}
