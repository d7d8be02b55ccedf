import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLint
import Foundation

/// Hover, go to definition and document symbols of one analysed document.
struct Navigation {
    let document: TextDocument
    let facts: PipelineFacts
    let diagnostics: [Diagnostic]
    let encoding: PositionEncoding

    /// The key written at a byte offset, with its path and range.
    func key(at offset: Int) -> (path: [String], range: Range<Int>)? {
        let (line, column) = document.lineAndColumn(of: offset)
        let shape = LineShape(document.line(line))
        guard let key = shape.key, let range = shape.keyRange, range.contains(column) || range.upperBound == column
        else { return nil }
        let path = DocumentStructure(document: document).mappingPath(line: line, shape: shape) + [key]
        let start = document.offset(line: line, column: range.lowerBound)
        return (path, start..<(start + range.count))
    }

    /// `textDocument/hover`: the key's documentation, what a reference names, and the rule behind a diagnostic.
    func hover(at offset: Int) -> JSONValue {
        var sections: [String] = []
        var range: Range<Int>?
        if let reference = facts.references.first(where: { $0.span.isUnderCursor(offset) }) {
            sections.append(describe(reference.kind, reference.name))
            range = reference.span.start.offset..<reference.span.end.offset
        } else if let step = facts.steps.first(where: { $0.id.span.isUnderCursor(offset) }) {
            sections.append(describe("step", step.id.value))
            range = step.id.span.start.offset..<step.id.span.end.offset
        } else if let key = key(at: offset), let text = keyDocumentation(key.path) {
            sections.append(text)
            range = key.range
        }
        for diagnostic in diagnostics where diagnostic.span.isUnderCursor(offset) {
            guard let rule = Linter.rule(named: diagnostic.id.code) else { continue }
            sections.append(
                "**\(rule.id.code) \(rule.id.name)** (\(diagnostic.severity.rawValue)): \(diagnostic.message)\n\n"
                    + rule.summary.prefix(1).uppercased() + rule.summary.dropFirst() + ".\n\n"
                    + rule.explanation.replacingOccurrences(of: "\\\n", with: ""))
            if range == nil { range = diagnostic.span.start.offset..<diagnostic.span.end.offset }
        }
        guard !sections.isEmpty else { return .null }
        var result: [String: JSONValue] = [
            "contents": .object([
                "kind": .string("markdown"), "value": .string(sections.joined(separator: "\n\n---\n\n")),
            ])
        ]
        if let range {
            result["range"] = document.range(from: range.lowerBound, to: range.upperBound, encoding: encoding)
        }
        return .object(result)
    }

    /// The markdown documentation of the key at `path`.
    func keyDocumentation(_ path: [String]) -> String? {
        guard let node = GrammarSchema.shared.node(at: path), let key = path.last else { return nil }
        var text = "**`\(key)`** · `\(path.filter { $0 != "[]" }.joined(separator: "."))`"
        if let description = node.description { text += "\n\n\(description)" }
        var facts: [String] = []
        if !node.types.isEmpty { facts.append("Type: \(node.types.joined(separator: " or "))") }
        if !node.enumValues.isEmpty {
            facts.append("Values: \(node.enumValues.map { "`\($0)`" }.joined(separator: ", "))")
        }
        if let value = node.defaultValue { facts.append("Default: `\(value)`") }
        if !facts.isEmpty { text += "\n\n" + facts.joined(separator: " · ") }
        return text
    }

    /// A short account of a declared step, agent, policy or breaker.
    func describe(_ kind: String, _ name: String) -> String {
        switch kind {
        case "step":
            guard let step = facts.step(name) else { return "step `\(name)`" }
            var text = "**step `\(name)`**"
            if let title = step.name { text += ": \(title)" }
            if let agent = step.agent { text += "\n\nagent step, runs `\(agent)`" }
            if let run = step.run {
                let firstLine = run.split(separator: "\n").first.map(String.init) ?? ""
                text += "\n\n```sh\n\(firstLine)\(run.contains("\n") ? "\n…" : "")\n```"
            }
            if !step.needs.isEmpty { text += "\n\nneeds \(step.needs.map { "`\($0.value)`" }.joined(separator: ", "))" }
            if !step.outputs.isEmpty {
                text += "\n\noutputs \(step.outputs.map { "`\($0.value)`" }.joined(separator: ", "))"
            }
            return text
        case "agent":
            guard let agent = facts.agents.first(where: { $0.id.value == name }) else { return "agent `\(name)`" }
            if let uses = agent.uses { return "**agent `\(name)`**: the built-in `\(uses)`" }
            return "**agent `\(name)`**: runs `\(agent.command ?? "")`"
        default:
            return "**\(kind) `\(name)`**"
        }
    }

    /// `textDocument/definition`: where the step, agent, policy or breaker named at `offset` is declared; in an
    /// expression, `steps.<id>` and `steps.<id>.outputs.<name>` too.
    func definition(at offset: Int, uri: String) -> JSONValue {
        if let reference = facts.references.first(where: { $0.span.isUnderCursor(offset) }) {
            return location(reference.target, uri: uri)
        }
        let (line, column) = document.lineAndColumn(of: offset)
        let text = document.line(line)
        let start = CursorContext.chainStart(Array(text[..<min(column, text.count)]))
        var end = min(column, text.count)
        while end < text.count, CursorContext.isWordByte(text[end]) || text[end] == UInt8(ascii: ".") { end += 1 }
        let chain = String(decoding: text[start..<end], as: UTF8.self).split(separator: ".").map(String.init)
        guard chain.count >= 2, chain[0] == "steps", let step = facts.step(chain[1]) else { return .null }
        // Which segment the position is on.
        var segmentEnd = start
        var segment = 0
        for (index, part) in chain.enumerated() {
            segmentEnd += part.utf8.count + (index > 0 ? 1 : 0)
            if column <= segmentEnd {
                segment = index
                break
            }
            segment = index
        }
        if segment >= 3, chain.count >= 4, chain[2] == "outputs",
            let output = step.outputs.first(where: { $0.value == chain[3] })
        {
            return location(output.span, uri: uri)
        }
        return location(step.id.span, uri: uri)
    }

    func location(_ span: SourceSpan, uri: String) -> JSONValue {
        .object(["uri": .string(uri), "range": document.range(of: span, encoding: encoding)])
    }

    /// `textDocument/documentSymbol`: agents, policies, breakers and steps, grouped.
    func symbols() -> JSONValue {
        func symbol(_ name: String, detail: String?, kind: Int, range: SourceSpan, selection: SourceSpan) -> JSONValue {
            var members: [String: JSONValue] = [
                "name": .string(name), "kind": .int(kind), "range": document.range(of: range, encoding: encoding),
                "selectionRange": document.range(of: selection, encoding: encoding),
            ]
            if let detail { members["detail"] = .string(detail) }
            return .object(members)
        }
        func group(_ name: String, _ children: [JSONValue], spans: [SourceSpan]) -> JSONValue? {
            guard !children.isEmpty, let first = spans.first else { return nil }
            let whole = spans.dropFirst().reduce(first) { $0.union($1) }
            guard case .object(var members) = symbol(name, detail: nil, kind: 3, range: whole, selection: first)
            else { return nil }
            members["children"] = .array(children)
            return .object(members)
        }
        var result: [JSONValue] = []
        let agents = facts.agents.map {
            symbol($0.id.value, detail: $0.uses ?? $0.command, kind: 5, range: $0.id.span, selection: $0.id.span)
        }
        if let agents = group("agents", agents, spans: facts.agents.map(\.id.span)) { result.append(agents) }
        let policies =
            facts.retryPolicies.map { symbol($0.value, detail: "retry", kind: 14, range: $0.span, selection: $0.span) }
            + facts.breakers.map {
                symbol($0.value, detail: "circuit breaker", kind: 14, range: $0.span, selection: $0.span)
            }
        if let policies = group("policies", policies, spans: (facts.retryPolicies + facts.breakers).map(\.span)) {
            result.append(policies)
        }
        let steps = facts.steps.map { step in
            symbol(
                step.id.value, detail: step.name ?? step.agent.map { "agent \($0)" }, kind: 12,
                range: step.span.union(step.id.span), selection: step.id.span)
        }
        if let steps = group("steps", steps, spans: facts.steps.map { $0.span.union($0.id.span) }) {
            result.append(steps)
        }
        return .array(result)
    }
}
