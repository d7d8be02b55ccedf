import DevFlowDiagnostics
import DevFlowSyntax
import Foundation

/// Maps offsets in a scalar's value back to the source, so expression diagnostics point at exact columns.
final class SiteSpanMapper {
    let source: SourceFile
    let node: YAMLNode
    private let value: String
    private let direct: Int?
    private var searchFrom: Int

    init(source: SourceFile, node: YAMLNode) {
        self.source = source
        self.node = node
        let scalar = node.scalar
        var text = scalar?.value ?? ""
        text.makeContiguousUTF8()
        value = text
        searchFrom = node.span.start.offset
        // Single-line scalars whose source text equals their value map one to one.
        let quote = scalar?.style == .singleQuoted || scalar?.style == .doubleQuoted ? 1 : 0
        let start = node.span.start.offset + quote
        let count = text.utf8.count
        let end = start + count
        if scalar?.style != .literal, scalar?.style != .folded, end <= source.bytes.count {
            let equal: Bool = source.bytes.withUnsafeBufferPointer { sourceBuffer -> Bool in
                let compared: Bool? = text.utf8.withContiguousStorageIfAvailable { valueBuffer -> Bool in
                    count == 0 || memcmp(sourceBuffer.baseAddress! + start, valueBuffer.baseAddress!, count) == 0
                }
                return compared ?? false
            }
            direct = equal ? start : nil
        } else {
            direct = nil
        }
    }

    /// The source offset of value bytes `range`, or nil when the text was transformed (escapes, folding).
    func sourceOffset(of range: Range<Int>) -> Int? {
        if let direct { return direct + range.lowerBound }
        let needle = Array(value.utf8)[range]
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
