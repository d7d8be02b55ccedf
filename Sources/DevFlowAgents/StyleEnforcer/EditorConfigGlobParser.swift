/// Turns the bytes of a section name into `EditorConfigGlob.Node`s (see `EditorConfigGlob` for the syntax).
struct EditorConfigGlobParser {
    typealias Node = EditorConfigGlob.Node
    private let bytes: [UInt8]
    private var index = 0
    /// Whether every `{` has its `}` (escaped braces left out) and they nest at most `maximumBraceDepth` deep; when
    /// not, every brace is a literal character.
    private let bracesPair: Bool

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var open = 0
        var close = 0
        var paired = true
        var deepest = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x5C: index += 1  // "\" escapes the next byte
            case 0x7B:
                open += 1
                deepest = max(deepest, open - close)
            case 0x7D:
                close += 1
                if close > open { paired = false }
            default: break
            }
            index += 1
        }
        bracesPair = paired && open == close && deepest <= Self.maximumBraceDepth
    }

    /// Braces nested deeper than this are all taken as literal characters (a bound on recursion).
    static let maximumBraceDepth = 64

    /// The whole glob.
    mutating func parseAll() -> [Node] {
        var nodes: [Node] = []
        if bytes.starts(with: [0x2A, 0x2A, 0x2F]) {  // "**/" at the start: zero or more folders
            nodes.append(.folders)
            index = 3
        }
        nodes += parseSequence(inBraces: false)
        // A "," or "}" can only stop the top level when braces do not pair, and then they are literal.
        return nodes
    }

    /// Pieces up to the end, or (inside braces) up to the `,` or `}` that ends this alternative.
    private mutating func parseSequence(inBraces: Bool) -> [Node] {
        var nodes: [Node] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { nodes.append(.literal(literal)) }
            literal.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x5C:  // "\"
                literal.append(index + 1 < bytes.count ? bytes[index + 1] : byte)
                index += 2
            case 0x2A:  // "*"
                flush()
                if index + 1 < bytes.count, bytes[index + 1] == 0x2A {
                    nodes.append(.starStar)
                    index += 2
                } else {
                    nodes.append(.star)
                    index += 1
                }
            case 0x3F:  // "?"
                flush()
                nodes.append(.anyCharacter)
                index += 1
            case 0x2F where bytes[(index + 1)...].starts(with: [0x2A, 0x2A, 0x2F]):  // "/**/"
                literal.append(byte)
                flush()
                nodes.append(.folders)
                index += 4
            case 0x5B:  // "["
                if let set = parseBracket(literal: &literal) {
                    flush()
                    nodes.append(.bracket(set))
                }
            case 0x7B where bracesPair:  // "{"
                flush()
                nodes += parseBraces()
            case 0x2C where inBraces && bracesPair, 0x7D where inBraces && bracesPair:  // "," or "}"
                flush()
                return nodes
            default:
                literal.append(byte)
                index += 1
            }
        }
        flush()
        return nodes
    }

    /// `{…}` at `index`: alternatives, a numeric range, or (one alternative) the braces as literal characters.
    private mutating func parseBraces() -> [Node] {
        let open = index
        index += 1
        var alternatives: [[Node]] = []
        while true {
            alternatives.append(parseSequence(inBraces: true))
            guard index < bytes.count else { break }  // cannot happen when braces pair
            let stop = bytes[index]
            index += 1
            if stop == 0x7D { break }
        }
        if alternatives.count > 1 { return [.alternatives(alternatives)] }
        if let range = Self.numericRange(bytes[(open + 1)..<(index - 1)]) {
            return [.number(low: range.low, high: range.high)]
        }
        return [.literal([0x7B])] + alternatives[0] + [.literal([0x7D])]
    }

    /// `num1..num2` with optionally signed decimal integers, or nil.
    static func numericRange(_ text: ArraySlice<UInt8>) -> (low: Int, high: Int)? {
        let parts = text.split(separator: 0x2E, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].isEmpty else { return nil }  // "a..b" splits as ["a", "", "b"]
        func integer(_ part: ArraySlice<UInt8>) -> Int? {
            let digits = part.first == 0x2B || part.first == 0x2D ? part.dropFirst() : part
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(String(decoding: part.first == 0x2B ? digits : part, as: UTF8.self))
        }
        guard let low = integer(parts[0]), let high = integer(parts[2]) else { return nil }
        return (low, high)
    }

    /// `[…]` at `index`: a character set, or nil after appending the text to `literal` (a bracket holding a `/`,
    /// or one that never closes).
    private mutating func parseBracket(literal: inout [UInt8]) -> EditorConfigGlob.CharacterSet? {
        var start = index + 1
        var set = EditorConfigGlob.CharacterSet()
        if start < bytes.count, bytes[start] == 0x21 {  // "!"
            set.negated = true
            start += 1
        }
        var close: Int?
        var hasSlash = false
        var scan = start
        if scan < bytes.count, bytes[scan] == 0x5D { scan += 1 }  // a "]" first is a member
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == 0x5C {
                scan += 2
                continue
            }
            if byte == 0x2F { hasSlash = true }
            if byte == 0x5D {
                close = scan
                break
            }
            scan += 1
        }
        if hasSlash {  // literal text up to and including the "]" (or to the end)
            let end = close.map { $0 + 1 } ?? bytes.count
            literal += bytes[index..<end]
            index = end
            return nil
        }
        guard let close else {
            literal.append(bytes[index])
            index += 1
            return nil
        }
        var member = start
        func next() -> UInt32 {
            if bytes[member] == 0x5C, member + 1 < close { member += 1 }
            let (scalar, length) = EditorConfigGlobMatcher.scalar(in: bytes[member..<close])
            member += length
            return scalar
        }
        while member < close {
            let low = next()
            if member + 1 < close, bytes[member] == 0x2D {  // "a-z"
                member += 1
                let high = next()
                if low <= high { set.ranges.append(low...high) }
            } else {
                set.ranges.append(low...low)
            }
        }
        index = close + 1
        return set
    }
}
