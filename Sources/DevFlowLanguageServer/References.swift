import DevFlowDiagnostics
import DevFlowGraph

extension SourceSpan {
    /// Whether a cursor at byte `offset` is on this span: inside it, or just after its last byte (where an editor's
    /// cursor is after typing a name); an empty span is under no cursor. Navigation and references share this rule.
    func isUnderCursor(_ offset: Int) -> Bool {
        start != end && start.offset <= offset && offset <= end.offset
    }
}

/// `textDocument/references` and `textDocument/rename` for the names a pipeline declares: steps (with their uses in
/// `needs:` and as `steps.<id>` inside expressions), agents, retry policies and circuit breakers.
struct References {
    let document: TextDocument
    let facts: PipelineFacts
    let encoding: PositionEncoding

    /// A declared name: what it is, its name, and where it is declared.
    struct Symbol {
        var kind: String
        var name: String
        var declaration: SourceSpan
    }

    /// The declared name at a byte offset: its declaration, or a reference to it.
    func symbol(at offset: Int) -> Symbol? {
        if let reference = facts.references.first(where: { $0.span.isUnderCursor(offset) }) {
            return Symbol(kind: reference.kind, name: reference.name, declaration: reference.target)
        }
        if let step = facts.steps.first(where: { $0.id.span.isUnderCursor(offset) }) {
            return Symbol(kind: "step", name: step.id.value, declaration: step.id.span)
        }
        if let agent = facts.agents.first(where: { $0.id.span.isUnderCursor(offset) }) {
            return Symbol(kind: "agent", name: agent.id.value, declaration: agent.id.span)
        }
        if let policy = facts.retryPolicies.first(where: { $0.span.isUnderCursor(offset) }) {
            return Symbol(kind: "retry policy", name: policy.value, declaration: policy.span)
        }
        if let breaker = facts.breakers.first(where: { $0.span.isUnderCursor(offset) }) {
            return Symbol(kind: "circuit breaker", name: breaker.value, declaration: breaker.span)
        }
        if let use = expressionUses().first(where: { $0.lowerBound <= offset && offset <= $0.upperBound && !$0.isEmpty }
        ),
            let step = facts.steps.first(where: { $0.id.value == text(use) })
        {
            return Symbol(kind: "step", name: step.id.value, declaration: step.id.span)
        }
        return nil
    }

    /// The byte ranges of every use of `symbol`, its declaration first when `includeDeclaration`.
    func uses(of symbol: Symbol, includeDeclaration: Bool) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        if includeDeclaration { ranges.append(symbol.declaration.start.offset..<symbol.declaration.end.offset) }
        for reference in facts.references where reference.kind == symbol.kind && reference.name == symbol.name {
            ranges.append(reference.span.start.offset..<reference.span.end.offset)
        }
        if symbol.kind == "step" {
            ranges += expressionUses().filter { text($0) == symbol.name }
        }
        return ranges
    }

    func text(_ range: Range<Int>) -> String { String(decoding: document.bytes[range], as: UTF8.self) }

    /// The step ids written as `steps.<id>` inside `${{ }}` or an `if:`; not in plain text or in a string literal
    /// (`'steps.build'`) that only looks alike.
    func expressionUses() -> [Range<Int>] {
        let bytes = document.bytes
        let needle = Array("steps.".utf8)
        var ranges: [Range<Int>] = []
        var index = 0
        while index + needle.count <= bytes.count {
            defer { index += 1 }
            guard bytes[index] == needle[0], bytes[index..<index + needle.count].elementsEqual(needle) else { continue }
            if index > 0, CursorContext.isWordByte(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: ".") {
                continue
            }
            var end = index + needle.count
            while end < bytes.count, CursorContext.isWordByte(bytes[end]) { end += 1 }
            guard end > index + needle.count else { continue }
            let (line, column) = document.lineAndColumn(of: end)
            guard case .expression(let before) = CursorContext.at(line: line, column: column, in: document).kind,
                before.filter({ $0 == "'" }).count % 2 == 0
            else { continue }  // plain text, or a string literal inside the expression
            ranges.append((index + needle.count)..<end)
        }
        return ranges
    }

    /// `textDocument/references`.
    func locations(at offset: Int, includeDeclaration: Bool) -> JSONValue {
        guard let symbol = symbol(at: offset) else { return .null }
        return .array(
            uses(of: symbol, includeDeclaration: includeDeclaration).map {
                .object([
                    "uri": .string(document.uri),
                    "range": document.range(from: $0.lowerBound, to: $0.upperBound, encoding: encoding),
                ])
            })
    }

    /// `textDocument/rename`: every use replaced, or why not.
    func rename(at offset: Int, to newName: String) -> Result<JSONValue, RPCError> {
        guard let symbol = symbol(at: offset) else {
            return .failure(
                RPCError(
                    code: .invalidParams,
                    message: "nothing to rename here: put the cursor on a step, agent, retry policy or breaker name"))
        }
        guard Self.isIdentifier(newName) else {
            return .failure(
                RPCError(
                    code: .invalidParams,
                    message:
                        "'\(MessageText.oneLine(newName))' is not a valid \(symbol.kind) name: a letter or '_', then up to 63 letters, digits, '_' or '-'"
                ))
        }
        let taken: Bool =
            switch symbol.kind {
            case "step": facts.steps.contains { $0.id.value == newName }
            case "agent": facts.agents.contains { $0.id.value == newName }
            case "retry policy": facts.retryPolicies.contains { $0.value == newName } || newName == "none"
            default: facts.breakers.contains { $0.value == newName }
            }
        if taken, newName != symbol.name {
            return .failure(
                RPCError(code: .invalidParams, message: "a \(symbol.kind) named '\(newName)' already exists"))
        }
        let edits: [JSONValue] = uses(of: symbol, includeDeclaration: true).map {
            .object([
                "range": document.range(from: $0.lowerBound, to: $0.upperBound, encoding: encoding),
                "newText": .string(newName),
            ])
        }
        return .success(.object(["changes": .object([document.uri: .array(edits)])]))
    }

    /// The grammar's id: a letter or `_`, then up to 63 letters, digits, `_` or `-`.
    static func isIdentifier(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64 else { return false }
        func letter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        guard letter(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy {
            letter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}
