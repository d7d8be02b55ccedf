import DevFlowGraph
import Foundation

/// Finished runs of one pipeline, as the store recorded them, for `performance-optimizer`.
public struct PipelineHistory: Sendable, Codable {
    /// One finished run.
    public struct Run: Sendable, Codable {
        /// Run id.
        public var id: Int64
        /// `succeeded`, `failed`, `cancelled`, `interrupted`.
        public var status: String
        /// The commit it ran on.
        public var commit: String?
        /// When it started.
        public var startedAt: Date?
        /// When it finished.
        public var finishedAt: Date?
        /// The graph it ran (decoded from the stored JSON; no source map).
        public var graph: ExecutionGraph?
        /// Its nodes.
        public var nodes: [Node]

        /// Creates a run.
        public init(
            id: Int64, status: String, commit: String?, startedAt: Date?, finishedAt: Date?, graph: ExecutionGraph?,
            nodes: [Node]
        ) {
            self.id = id
            self.status = status
            self.commit = commit
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.graph = graph
            self.nodes = nodes
        }

        /// Wall-clock seconds, when both ends are known.
        public var duration: Double? {
            guard let startedAt, let finishedAt else { return nil }
            return finishedAt.timeIntervalSince(startedAt)
        }
    }

    /// One node of a run.
    public struct Node: Sendable, Codable {
        /// Node id (matrix legs are separate nodes).
        public var id: String
        /// Final status: `succeeded`, `failed`, `skipped`, `up_to_date`, `cancelled`…
        public var status: String
        /// Attempts made.
        public var attempts: Int
        /// When its first attempt started.
        public var startedAt: Date?
        /// When it finished.
        public var finishedAt: Date?
        /// Its outputs.
        public var outputs: [String: String]

        /// Creates a node.
        public init(
            id: String, status: String, attempts: Int, startedAt: Date?, finishedAt: Date?, outputs: [String: String]
        ) {
            self.id = id
            self.status = status
            self.attempts = attempts
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.outputs = outputs
        }

        /// Seconds from start to finish, when it ran.
        public var duration: Double? {
            guard let startedAt, let finishedAt, status == "succeeded" || status == "failed" else { return nil }
            return finishedAt.timeIntervalSince(startedAt)
        }
    }

    /// Newest first.
    public var runs: [Run]

    /// Creates a history.
    public init(runs: [Run]) { self.runs = runs }
}
