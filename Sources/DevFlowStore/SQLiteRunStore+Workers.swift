import Foundation
import GRDB

extension WorkerRecord: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "worker"
}

extension SQLiteRunStore: WorkerRegistry {
    /// Records `worker`, replacing a record with its id.
    public func registerWorker(_ worker: WorkerRecord) throws {
        try database.write { db in try worker.upsert(db) }
    }

    /// Moves the heartbeat of `id` to `at`.
    @discardableResult
    public func workerHeartbeat(id: String, at: Date) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "UPDATE worker SET heartbeatAt = ? WHERE id = ?", arguments: [at, id])
            return db.changesCount == 1
        }
    }

    /// Marks `id` stopped.
    public func stopWorker(id: String, at: Date) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE worker SET stoppedAt = ?, heartbeatAt = ? WHERE id = ?", arguments: [at, at, id])
        }
    }

    /// Registered workers, newest first, with the runs each holds; workers stopped more than a day ago are left out.
    public func workers(now: Date) throws -> [WorkerSummary] {
        try database.read { db in
            let records = try WorkerRecord.fetchAll(
                db, sql: "SELECT * FROM worker WHERE stoppedAt IS NULL OR stoppedAt > ? ORDER BY startedAt DESC, id",
                arguments: [now.addingTimeInterval(-86_400)])
            let running = try Row.fetchAll(
                db, sql: "SELECT id, workerId FROM run WHERE status = 'running' AND workerId IS NOT NULL ORDER BY id")
            return records.map { record in
                let prefix = record.id + ":"
                let runs = running.compactMap { row -> Int64? in
                    let holder: String = row["workerId"]
                    return holder.hasPrefix(prefix) ? row["id"] : nil
                }
                return WorkerSummary(
                    worker: record, heartbeatAge: max(0, now.timeIntervalSince(record.heartbeatAt)), runningRuns: runs)
            }
        }
    }
}
