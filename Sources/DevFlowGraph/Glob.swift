/// A path or branch glob: `*` matches within a segment, `**` any number of segments, `?` one character,
/// `[abc]`/`[!a-z]` a class. A leading `!` (in filter lists) negates and is handled by `GlobList`.
public struct Glob: Hashable, Sendable {
    enum Piece: Hashable, Sendable {
        case literal([UInt8])
        case star
        case globstar
        case any
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    /// The pattern as written.
    public let pattern: String
    let pieces: [Piece]

    /// Why a pattern is invalid.
    public struct SyntaxError: Error, Hashable, Sendable {
        /// Lower-case message.
        public var message: String
        /// UTF-8 offset in the pattern.
        public var offset: Int
    }

    /// Compiles `pattern`, or explains what is wrong with it.
    public static func compile(_ pattern: String) -> Result<Glob, SyntaxError> {
        let bytes = Array(pattern.utf8)
        if bytes.isEmpty { return .failure(SyntaxError(message: "empty pattern matches nothing", offset: 0)) }
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var index = 0
        func flush() {
            if !literal.isEmpty {
                pieces.append(.literal(literal))
                literal = []
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "*"):
                flush()
                var count = 0
                while index < bytes.count, bytes[index] == UInt8(ascii: "*") {
                    count += 1
                    index += 1
                }
                if count > 2 {
                    return .failure(
                        SyntaxError(
                            message: "'\(String(repeating: "*", count: count))' is not a wildcard; use '*' or '**'",
                            offset: index - count))
                }
                if count == 2 {
                    pieces.append(.globstar)
                    if index < bytes.count, bytes[index] == UInt8(ascii: "/") { index += 1 }
                } else {
                    pieces.append(.star)
                }
                continue
            case UInt8(ascii: "?"):
                flush()
                pieces.append(.any)
            case UInt8(ascii: "["):
                flush()
                let open = index
                index += 1
                var negated = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "^") {
                    negated = true
                    index += 1
                }
                var ranges: [ClosedRange<UInt8>] = []
                var closed = false
                while index < bytes.count {
                    let low = bytes[index]
                    if low == UInt8(ascii: "]"), !ranges.isEmpty {
                        closed = true
                        break
                    }
                    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-"),
                        bytes[index + 2] != UInt8(ascii: "]")
                    {
                        let high = bytes[index + 2]
                        guard low <= high else {
                            return .failure(
                                SyntaxError(
                                    message:
                                        "range '\(Character(UnicodeScalar(low)))-\(Character(UnicodeScalar(high)))' is reversed",
                                    offset: index))
                        }
                        ranges.append(low...high)
                        index += 3
                    } else {
                        ranges.append(low...low)
                        index += 1
                    }
                }
                guard closed else {
                    return .failure(SyntaxError(message: "character class '[' is never closed with ']'", offset: open))
                }
                pieces.append(.set(ranges, negated: negated))
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else {
                    return .failure(SyntaxError(message: "pattern ends with an escaping '\\'", offset: index - 1))
                }
                literal.append(bytes[index])
            default:
                literal.append(byte)
            }
            index += 1
        }
        flush()
        return .success(Glob(pattern: pattern, pieces: pieces))
    }

    /// True when `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var memo = [Int: Bool]()
        return match(0, 0, bytes, &memo)
    }

    private func match(_ pieceIndex: Int, _ position: Int, _ text: [UInt8], _ memo: inout [Int: Bool]) -> Bool {
        let key = pieceIndex &* (text.count + 1) &+ position
        if let known = memo[key] { return known }
        let result: Bool
        if pieceIndex == pieces.count {
            result = position == text.count
        } else {
            switch pieces[pieceIndex] {
            case .literal(let bytes):
                result =
                    position + bytes.count <= text.count && text[position..<position + bytes.count].elementsEqual(bytes)
                    && match(pieceIndex + 1, position + bytes.count, text, &memo)
            case .any:
                result =
                    position < text.count && text[position] != UInt8(ascii: "/")
                    && match(pieceIndex + 1, position + 1, text, &memo)
            case .set(let ranges, let negated):
                if position < text.count, text[position] != UInt8(ascii: "/") {
                    let inSet = ranges.contains { $0.contains(text[position]) }
                    result = inSet != negated && match(pieceIndex + 1, position + 1, text, &memo)
                } else {
                    result = false
                }
            case .star:
                var end = position
                var found = match(pieceIndex + 1, end, text, &memo)
                while !found, end < text.count, text[end] != UInt8(ascii: "/") {
                    end += 1
                    found = match(pieceIndex + 1, end, text, &memo)
                }
                result = found
            case .globstar:
                // Any number of whole segments (including none), then the rest of the pattern.
                var end = position
                var found = match(pieceIndex + 1, end, text, &memo)
                while !found, end < text.count {
                    end += 1
                    if end == text.count || text[end - 1] == UInt8(ascii: "/") || pieceIndex + 1 == pieces.count {
                        found = match(pieceIndex + 1, end, text, &memo)
                    }
                }
                result = found
            }
        }
        memo[key] = result
        return result
    }
}

/// An ordered list of globs where `!pattern` excludes what earlier patterns included (last match wins).
public struct GlobList: Hashable, Sendable {
    let entries: [(negated: Bool, glob: Glob)]

    /// Compiles `patterns`, skipping invalid ones (the compiler reports those).
    public init(_ patterns: [String]) {
        entries = patterns.compactMap { pattern in
            let negated = pattern.hasPrefix("!")
            let body = negated ? String(pattern.dropFirst()) : pattern
            guard case .success(let glob) = Glob.compile(body) else { return nil }
            return (negated, glob)
        }
    }

    /// True when the last pattern matching `text` is not negated.
    public func matches(_ text: String) -> Bool {
        var matched = false
        for entry in entries where entry.glob.matches(text) { matched = !entry.negated }
        return matched
    }

    /// True when there are no patterns.
    public var isEmpty: Bool { entries.isEmpty }

    /// Equality by pattern text.
    public static func == (lhs: GlobList, rhs: GlobList) -> Bool {
        lhs.entries.map { ($0.negated ? "!" : "") + $0.glob.pattern }
            == rhs.entries.map { ($0.negated ? "!" : "") + $0.glob.pattern }
    }

    /// Hashes pattern text.
    public func hash(into hasher: inout Hasher) {
        for entry in entries { hasher.combine(entry.negated); hasher.combine(entry.glob.pattern) }
    }
}
