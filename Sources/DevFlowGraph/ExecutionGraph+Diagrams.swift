extension ExecutionGraph {
    /// Graphviz DOT: one box per node, hook and agent steps shaped apart, ranks by level.
    public func dot() -> String {
        var lines = ["digraph \(Self.dotQuote(name)) {", "  rankdir=LR;", "  node [fontname=\"Helvetica\"];"]
        for node in nodes {
            let shape: String
            if case .agent = node.action { shape = "ellipse" } else { shape = "box" }
            var label = node.id
            if let deployment = node.deployment { label += "\\ndeploy: \(deployment)" }
            lines.append("  \(Self.dotQuote(node.id)) [shape=\(shape), label=\(Self.dotQuote(label))];")
        }
        for node in nodes {
            for need in node.needs { lines.append("  \(Self.dotQuote(need)) -> \(Self.dotQuote(node.id));") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Mermaid flowchart, renderable in GitHub markdown.
    public func mermaid() -> String {
        var ids: [String: String] = [:]
        for (index, node) in nodes.enumerated() { ids[node.id] = "n\(index)" }
        var lines = ["flowchart LR"]
        for node in nodes {
            let text = node.id.replacingOccurrences(of: "\"", with: "#quot;")
            if case .agent = node.action {
                lines.append("  \(ids[node.id]!)([\"\(text)\"])")
            } else {
                lines.append("  \(ids[node.id]!)[\"\(text)\"]")
            }
        }
        for node in nodes {
            for need in node.needs { lines.append("  \(ids[need] ?? need) --> \(ids[node.id]!)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dotQuote(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\\\\n", with: "\\n") + "\""
    }
}
