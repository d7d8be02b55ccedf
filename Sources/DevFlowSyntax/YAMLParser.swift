import CYAML
import DevFlowDiagnostics

/// Builds a positioned node tree from libyaml's event stream, reporting every duplicate key and enforcing limits.
public enum YAMLParser {
    /// Files larger than this are refused with `input-limit`.
    public static let maximumFileSize = 32 * 1024 * 1024
    /// Collections nested deeper than this are refused with `input-limit`.
    public static let maximumDepth = 256
    /// Aliases may expand the tree to at most this many nodes.
    public static let maximumExpandedNodes = 1_000_000

    /// Parses `source`. Never throws and never traps on malformed input: problems become diagnostics.
    public static func parse(_ source: SourceFile) -> YAMLDocument {
        if source.bytes.count > maximumFileSize {
            let diagnostic = SyntaxRules.inputLimit.diagnostic(
                "file is \(source.bytes.count) bytes, over the limit of \(maximumFileSize) bytes",
                at: .fileStart(source.path), notes: ["split the pipeline into several files under .devflow/"])
            return YAMLDocument(source: source, root: nil, diagnostics: [diagnostic], hasSyntaxError: true)
        }
        var builder = TreeBuilder(source: source)
        source.bytes.withUnsafeBufferPointer { buffer in
            builder.run(buffer)
        }
        return YAMLDocument(
            source: source, root: builder.root, diagnostics: builder.diagnostics, hasSyntaxError: builder.failed)
    }
}

private struct TreeBuilder {
    /// A collection being built; mutated in place at the top of the stack.
    struct Frame {
        var isMapping: Bool
        var start: SourcePosition
        var anchor: String?
        var pairs: [YAMLPair] = []
        var items: [YAMLNode] = []
        var pendingKey: YAMLNode?
        var weight = 1
        /// Scalar keys so far, in order, and as a set once the mapping is large.
        var keyNames: [String] = []
        var keys: Set<String> = []
    }

    let source: SourceFile
    /// ASCII files map libyaml's character index straight to byte offsets.
    let ascii: Bool
    var stack: [Frame] = []
    var anchors: [String: YAMLNode] = [:]
    var root: YAMLNode?
    var diagnostics: [Diagnostic] = []
    var failed = false
    var documents = 0
    var expanded = 0

    init(source: SourceFile) {
        self.source = source
        ascii = source.bytes.withUnsafeBufferPointer { buffer in
            var combined: UInt8 = 0
            for byte in buffer { combined |= byte }
            return combined < 0x80
        }
    }

    func position(_ mark: yaml_mark_t) -> SourcePosition {
        if ascii {
            return SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index))
        }
        return source.position(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    func span(_ start: SourcePosition, _ end: SourcePosition) -> SourceSpan {
        SourceSpan(fileID: source.fileID, start: start, end: max(start, end))
    }

    mutating func fail(
        _ message: String, at mark: yaml_mark_t, rule: RuleDescriptor = SyntaxRules.yamlSyntax, notes: [String] = []
    ) {
        let at = position(mark)
        diagnostics.append(rule.diagnostic(message, at: span(at, at), notes: notes))
        failed = true
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            diagnostics.append(
                SyntaxRules.yamlSyntax.diagnostic("libyaml could not start", at: .fileStart(source.path)))
            failed = true
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count)
        var event = yaml_event_t()
        while !failed {
            guard yaml_parser_parse(&parser, &event) != 0 else {
                reportParserError(parser)
                return
            }
            let done = event.type == YAML_STREAM_END_EVENT
            handle(&event)
            yaml_event_delete(&event)
            if done { return }
        }
    }

    mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem =
            Self.string(
                UnsafeMutablePointer(mutating: parser.problem).map {
                    UnsafeMutableRawPointer($0).assumingMemoryBound(to: yaml_char_t.self)
                }) ?? "malformed YAML"
        var mark = parser.problem_mark
        var message = problem
        if let context = Self.string(
            UnsafeMutablePointer(mutating: parser.context).map {
                UnsafeMutableRawPointer($0).assumingMemoryBound(to: yaml_char_t.self)
            })
        {
            message = "\(context): \(problem)"
        }
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset rather than a line/column mark; for bad UTF-8 find the first bad byte.
            let offset = Self.firstInvalidUTF8(source.bytes) ?? Int(parser.problem_offset)
            let at = source.position(atOffset: offset)
            var text = problem
            if let bad = Self.firstInvalidUTF8(source.bytes) {
                text = "invalid UTF-8 byte 0x\(String(source.bytes[bad], radix: 16))"
            } else if parser.problem_value != -1 {
                text += " (byte 0x\(String(parser.problem_value, radix: 16)))"
            }
            diagnostics.append(
                SyntaxRules.yamlSyntax.diagnostic(
                    text, at: span(at, at), notes: ["pipeline files must be UTF-8 text without control characters"]))
            failed = true
            return
        }
        if mark.line == 0 && mark.column == 0 && parser.context_mark.line > 0 { mark = parser.context_mark }
        var at = position(mark)
        var labels: [DiagnosticLabel] = []
        if Int(mark.index) >= source.bytes.count, parser.context != nil {
            // The file ended inside a construct: point at where it starts.
            at = position(parser.context_mark)
            diagnostics.append(
                SyntaxRules.yamlSyntax.diagnostic(
                    message, at: span(at, at), notes: ["the file ends before it is closed"]))
            failed = true
            return
        }
        if let context = Self.string(
            UnsafeMutablePointer(mutating: parser.context).map {
                UnsafeMutableRawPointer($0).assumingMemoryBound(to: yaml_char_t.self)
            }),
            parser.context_mark.index != mark.index
        {
            // "while scanning a quoted scalar" → "the quoted scalar starts here".
            let what = context.replacingOccurrences(of: "while scanning ", with: "").replacingOccurrences(
                of: "while parsing ", with: "")
            let start = position(parser.context_mark)
            labels.append(DiagnosticLabel("\(what) starts here", at: span(start, start)))
        }
        diagnostics.append(SyntaxRules.yamlSyntax.diagnostic(message, at: span(at, at), labels: labels))
        failed = true
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length =
                byte < 0x80
                ? 1
                : byte >= 0xC2 && byte < 0xE0
                    ? 2 : byte >= 0xE0 && byte < 0xF0 ? 3 : byte >= 0xF0 && byte < 0xF5 ? 4 : 0
            guard length > 0, index + length <= bytes.count else { return index }
            for continuation in bytes[(index + 1)..<(index + length)] where continuation & 0xC0 != 0x80 { return index }
            if length > 1, String(validating: bytes[index..<(index + length)], as: UTF8.self) == nil { return index }
            index += length
        }
        return nil
    }

    mutating func handle(_ event: inout yaml_event_t) {
        let start = position(event.start_mark)
        let end = position(event.end_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail(
                    "a pipeline file holds one YAML document, found a second", at: event.start_mark,
                    notes: ["put each pipeline in its own file under .devflow/"])
            }
        case YAML_SCALAR_EVENT:
            let scalarData = event.data.scalar
            let value =
                scalarData.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalarData.length)), as: UTF8.self)
                } ?? ""
            let style: ScalarStyle =
                switch scalarData.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            let node = YAMLNode(
                content: .scalar(YAMLScalar(value: value, style: style, tag: Self.string(scalarData.tag))),
                span: span(start, end), anchor: Self.string(scalarData.anchor), aliasSpan: nil, weight: 1)
            attach(node)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                fail(
                    "alias '*\(name)' refers to no anchor defined before it", at: event.start_mark,
                    notes: ["define '&\(name)' on a node earlier in the file"])
                return
            }
            expanded += target.weight
            if expanded > YAMLParser.maximumExpandedNodes {
                fail(
                    "aliases expand to more than \(YAMLParser.maximumExpandedNodes) nodes", at: event.start_mark,
                    rule: SyntaxRules.inputLimit, notes: ["write the repeated content out or reduce alias nesting"])
                return
            }
            attach(target.aliased(at: span(start, end)))
        case YAML_SEQUENCE_START_EVENT:
            guard checkDepth(event.start_mark) else { return }
            stack.append(Frame(isMapping: false, start: start, anchor: Self.string(event.data.sequence_start.anchor)))
        case YAML_MAPPING_START_EVENT:
            guard checkDepth(event.start_mark) else { return }
            stack.append(Frame(isMapping: true, start: start, anchor: Self.string(event.data.mapping_start.anchor)))
        case YAML_SEQUENCE_END_EVENT:
            guard let frame = stack.popLast(), !frame.isMapping else { return }
            let last = frame.items.last.map { max($0.usageSpan.end, end) } ?? end
            let stop = frame.items.isEmpty ? end : min(last, end.offset > frame.start.offset ? end : last)
            attach(
                YAMLNode(
                    content: .sequence(frame.items), span: span(frame.start, stop), anchor: frame.anchor,
                    aliasSpan: nil, weight: frame.weight))
        case YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast(), frame.isMapping else { return }
            let blockEnd = frame.pairs.last.map { $0.value.usageSpan.end } ?? end
            let closing =
                source.bytes.indices.contains(frame.start.offset)
                && source.bytes[frame.start.offset] == UInt8(ascii: "{")
            attach(
                YAMLNode(
                    content: .mapping(mergeKeys(frame.pairs)), span: span(frame.start, closing ? end : blockEnd),
                    anchor: frame.anchor,
                    aliasSpan: nil, weight: frame.weight))
        default:
            break
        }
    }

    mutating func checkDepth(_ mark: yaml_mark_t) -> Bool {
        if stack.count >= YAMLParser.maximumDepth {
            fail(
                "nesting is deeper than \(YAMLParser.maximumDepth) levels", at: mark, rule: SyntaxRules.inputLimit,
                notes: ["a pipeline never needs this depth; flatten the structure"])
            return false
        }
        return true
    }

    mutating func attach(_ node: YAMLNode) {
        if let anchor = node.anchor, node.aliasSpan == nil { anchors[anchor] = node }
        guard !stack.isEmpty else {
            if root == nil { root = node }
            return
        }
        let top = stack.count - 1
        stack[top].weight += node.weight
        if !stack[top].isMapping {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            if case .scalar(let keyScalar) = key.content {
                // Small mappings are scanned; large ones keep a set, so finding duplicates stays linear.
                let name = keyScalar.value
                let names = stack[top].keyNames
                if names.count < 12 {
                    if names.contains(name) { checkDuplicate(key, in: stack[top].pairs) }
                } else {
                    if stack[top].keys.isEmpty { stack[top].keys = Set(names) }
                    if !stack[top].keys.insert(name).inserted { checkDuplicate(key, in: stack[top].pairs) }
                }
                stack[top].keyNames.append(name)
            }
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
        } else {
            stack[top].pendingKey = node
        }
    }

    mutating func checkDuplicate(_ key: YAMLNode, in pairs: [YAMLPair]) {
        guard let name = key.scalar?.value, !(key.scalar?.style == .plain && name == "<<") else { return }
        guard let earlier = pairs.first(where: { $0.key.scalar?.value == name }) else { return }
        diagnostics.append(
            SyntaxRules.duplicateKey.diagnostic(
                "key '\(name)' is defined more than once in this mapping", at: key.usageSpan,
                labels: [DiagnosticLabel("'\(name)' first defined here", at: earlier.key.usageSpan)],
                notes: ["YAML tools disagree on which definition wins; keep one"]))
    }

    /// Applies YAML merge keys (`<<: *defaults`): explicit keys win over merged ones.
    func mergeKeys(_ pairs: [YAMLPair]) -> [YAMLPair] {
        guard pairs.contains(where: { $0.key.scalar?.style == .plain && $0.key.scalar?.value == "<<" }) else {
            return pairs
        }
        var result: [YAMLPair] = []
        var present = Set(
            pairs.compactMap { pair -> String? in
                guard let scalar = pair.key.scalar, !(scalar.style == .plain && scalar.value == "<<") else {
                    return nil
                }
                return scalar.value
            })
        for pair in pairs {
            guard let scalar = pair.key.scalar, scalar.style == .plain, scalar.value == "<<" else {
                result.append(pair)
                continue
            }
            let sources = pair.value.items ?? [pair.value]
            for sourceNode in sources {
                guard let merged = sourceNode.pairs else {
                    result.append(pair)  // left for the compiler to report as a wrong type
                    continue
                }
                for mergedPair in merged {
                    guard let name = mergedPair.key.scalar?.value, !present.contains(name) else { continue }
                    present.insert(name)
                    result.append(mergedPair)
                }
            }
        }
        return result
    }
}
