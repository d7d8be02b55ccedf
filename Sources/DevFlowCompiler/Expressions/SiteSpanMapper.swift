import DevFlowDiagnostics
import DevFlowSyntax

/// Maps offsets in a scalar's value back to the source, so expression diagnostics point at exact columns.
struct SiteSpanMapper {
    let source: SourceFile
    let node: YAMLNode
    private let value: [UInt8]
    private let direct: Int?
    private var searchFrom: Int

    init(source: SourceFile, node: YAMLNode) {
        self.source = source
        self.node = node
        let text = node.scalar?.value ?? ""
        value = Array(text.utf8)
        searchFrom = node.span.start.offset
        // Single-line scalars whose source text equals their value map one to one.
        let quote = node.scalar?.style == .singleQuoted || node.scalar?.style == .doubleQuoted ? 1 : 0
        let start = node.span.start.offset + quote
        let end = start + value.count
        if node.scalar?.style != .literal, node.scalar?.style != .folded, end <= source.bytes.count,
            source.bytes[start..<end].elementsEqual(value)
        {
            direct = start
        } else {
            direct = nil
        }
    }

    /// The source offset of value bytes `range`, or nil when the text was transformed (escapes, folding).
    mutating func sourceOffset(of range: Range<Int>) -> Int? {
        if let direct { return direct + range.lowerBound }
        let needle = value[range]
        guard !needle.isEmpty else { return nil }
        let limit = min(source.bytes.count, node.span.end.offset + 1)
        var index = searchFrom
        while index + needle.count <= limit {
            if source.bytes[index] == needle.first!, source.bytes[index..<index + needle.count].elementsEqual(needle) {
                searchFrom = index + needle.count
                return index
            }
            index += 1
        }
        return nil
    }

    /// A span for `range` within an expression whose text starts at source offset `base`.
    func span(base: Int?, range: Range<Int>) -> SourceSpan {
        guard let base else { return node.usageSpan }
        if node.aliasSpan != nil { return node.usageSpan }
        return source.span(from: base + range.lowerBound, to: base + max(range.upperBound, range.lowerBound))
    }
}
