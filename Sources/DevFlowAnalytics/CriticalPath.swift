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
        var finish: [String: Double] = [:]
        var previous: [String: String] = [:]
        var last: (id: String, finish: Double)?
        let needs = Dictionary(graph.nodes.map { ($0.id, $0.needs) }, uniquingKeysWith: { first, _ in first })
        for id in graph.levels.joined() {
            var start = 0.0
            for need in needs[id] ?? [] {
                if let end = finish[need], previous[id] == nil || end > start {
                    start = end
                    previous[id] = need
                }
            }
            let end = start + max(0, durations[id] ?? 0)
            finish[id] = end
            if last == nil || end > last!.finish { last = (id, end) }
        }
        guard let last else { return nil }
        var path = [last.id]
        while let before = previous[path[path.count - 1]] { path.append(before) }
        return CriticalPath(nodes: path.reversed(), seconds: last.finish)
    }
}
