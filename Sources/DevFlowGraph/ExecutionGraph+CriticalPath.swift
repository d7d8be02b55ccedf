import Foundation

extension ExecutionGraph {
    /// The longest chain of `needs` by duration, each node weighing `durations[id]` (nothing when absent): its nodes,
    /// first to last, and its length. Empty for an empty graph. Ties go to the node id that sorts first.
    public func criticalPath(durations: [String: Double]) -> (nodes: [String], length: Double) {
        var best: [String: (length: Double, previous: String?)] = [:]
        var pending = Set(nodes.map(\.id))
        let byId = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Nodes are in dependency order in a lowered graph; loop until every node is settled regardless.
        while !pending.isEmpty {
            var progressed = false
            for node in nodes where pending.contains(node.id) {
                guard node.needs.allSatisfy({ best[$0] != nil || byId[$0] == nil }) else { continue }
                let previous = node.needs.compactMap { need in best[need].map { (need, $0.length) } }
                    .max { ($0.1, $1.0) < ($1.1, $0.0) }
                best[node.id] = ((previous?.1 ?? 0) + (durations[node.id] ?? 0), previous?.0)
                pending.remove(node.id)
                progressed = true
            }
            if !progressed { break }
        }
        guard let end = best.max(by: { ($0.value.length, $1.key) < ($1.value.length, $0.key) }) else { return ([], 0) }
        var path = [end.key]
        while let previous = best[path[0]]?.previous { path.insert(previous, at: 0) }
        return (path, end.value.length)
    }

    /// The graph stored as JSON (a run record's `graphJSON`), or nil when it does not decode (a run that never
    /// compiled stores none).
    public static func decoded(fromJSON json: String) -> ExecutionGraph? {
        try? JSONDecoder().decode(ExecutionGraph.self, from: Data(json.utf8))
    }
}
