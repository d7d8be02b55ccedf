import DevFlowGraph

/// The chain of nodes that decides how long a run takes: the longest path through the graph, each node weighing
/// its duration.
public struct CriticalPath: Codable, Sendable, Equatable {
    /// The nodes, first to last.
    public var nodes: [String]
    /// The sum of their durations.
    public var seconds: Double

    /// The critical path of `graph` with `durations` by node id (a node without one weighs nothing); nil for an
    /// empty graph.
    public static func of(_ graph: ExecutionGraph, durations: [String: Double]) -> CriticalPath? {
        let (nodes, length) = graph.criticalPath(durations: durations)
        return nodes.isEmpty ? nil : CriticalPath(nodes: nodes, seconds: length)
    }
}
