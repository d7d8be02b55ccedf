import Foundation
import GRDB

/// A finished run with everything it recorded, written at once: what demo data and benchmarks put in a store.
public struct ImportedRun: Sendable {
    /// The run, in its final state (its id is assigned on import).
    public var run: RunRecord
    /// Its nodes, in their final states.
    public var nodes: [NodeRecord]
    /// Their attempts.
    public var attempts: [AttemptRecord]
    /// Log text per node (lines joined with newlines).
    public var logs: [String: String]
    /// Outputs per node.
    public var outputs: [String: [String: String]]
    /// Agents' findings.
    public var findings: [FindingRecord]

    /// Creates a run to import; the ids inside are replaced by the run's new id.
    public init(
        run: RunRecord, nodes: [NodeRecord], attempts: [AttemptRecord], logs: [String: String] = [:],
        outputs: [String: [String: String]] = [:], findings: [FindingRecord] = []
    ) {
        self.run = run
        self.nodes = nodes
        self.attempts = attempts
        self.logs = logs
        self.outputs = outputs
        self.findings = findings
    }
}

extension SQLiteRunStore {
    /// Writes `runs` in one transaction (all or nothing), oldest first; returns their new ids.
    @discardableResult
    public func importRuns(_ runs: [ImportedRun]) throws -> [Int64] {
        try database.write { db in
            var ids: [Int64] = []
            ids.reserveCapacity(runs.count)
            for imported in runs {
                var run = imported.run
                run.id = nil
                try run.insert(db)
                guard let id = run.id else { throw StoreError("the run was not assigned an id") }
                ids.append(id)
                for var node in imported.nodes {
                    node.runId = id
                    try node.insert(db)
                }
                for var attempt in imported.attempts {
                    attempt.runId = id
                    try Self.insert(attempt, in: db)
                }
                for (node, values) in imported.outputs {
                    for (name, value) in values {
                        try db.execute(
                            sql: "INSERT INTO output (runId, nodeId, name, value) VALUES (?, ?, ?, ?)",
                            arguments: [id, node, name, value])
                    }
                }
                for (node, text) in imported.logs.sorted(by: { $0.key < $1.key }) {
                    let at = imported.nodes.first { $0.nodeId == node }?.finishedAt ?? imported.run.finishedAt
                    var chunk = LogChunkRecord(
                        id: nil, runId: id, nodeId: node, attempt: 1, stream: "stdout", text: text, at: at)
                    try chunk.insert(db)
                }
                for var finding in imported.findings {
                    finding.id = nil
                    finding.runId = id
                    try finding.insert(db)
                }
            }
            return ids
        }
    }

    /// How many runs the store holds.
    public func runCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM run") ?? 0 }
    }
}
