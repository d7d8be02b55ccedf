/// A string with `${{ … }}` placeholders, split into literal text and expression sources.
public struct Template: Hashable, Sendable {
    /// One piece of a template.
    public enum Segment: Hashable, Sendable {
        /// Literal text.
        case text(String)
        /// An expression's source (between the delimiters); `range` covers `${{ … }}` in UTF-8 offsets, and
        /// `innerOffset` is where the source starts.
        case expression(source: String, range: Range<Int>, innerOffset: Int)
    }

    /// The pieces, in order.
    public var segments: [Segment]
    /// The UTF-8 offset of an opening `${{` that is never closed, if any.
    public var unclosedAt: Int?

    /// Splits `text`.
    public init(_ text: String) {
        segments = []
        unclosedAt = nil
        var text = text
        text.makeContiguousUTF8()
        text.utf8.withContiguousStorageIfAvailable { split($0) }
    }

    private mutating func split(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        var literalStart = 0
        while index + 2 < bytes.count {
            guard bytes[index] == 0x24, bytes[index + 1] == 0x7B, bytes[index + 2] == 0x7B else {
                index += 1
                continue
            }
            var close = index + 3
            var found = false
            var inString = false
            while close + 1 < bytes.count {
                if bytes[close] == 0x27 { inString.toggle() }
                if !inString, bytes[close] == 0x7D, bytes[close + 1] == 0x7D {
                    found = true
                    break
                }
                close += 1
            }
            guard found else {
                unclosedAt = index
                break
            }
            if literalStart < index {
                segments.append(.text(String(decoding: bytes[literalStart..<index], as: UTF8.self)))
            }
            let source = String(decoding: bytes[(index + 3)..<close], as: UTF8.self)
            segments.append(.expression(source: source, range: index..<(close + 2), innerOffset: index + 3))
            index = close + 2
            literalStart = index
        }
        if literalStart < bytes.count {
            segments.append(.text(String(decoding: bytes[literalStart...], as: UTF8.self)))
        }
    }

    /// True when the text holds at least one placeholder.
    public var hasExpressions: Bool {
        segments.contains { if case .expression = $0 { true } else { false } }
    }

    /// Quick test without allocating segments.
    public static func mayContainExpression(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard buffer.count >= 3 else { return false }
            for index in 0..<(buffer.count - 2)
            where buffer[index] == 0x24 && buffer[index + 1] == 0x7B && buffer[index + 2] == 0x7B {
                return true
            }
            return false
        } ?? text.contains("${{")
    }
}
