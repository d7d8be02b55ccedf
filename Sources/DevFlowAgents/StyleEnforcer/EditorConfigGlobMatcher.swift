/// Matches compiled glob pieces against the UTF-8 bytes of one path by backtracking: `*`, `**` and `**/` try
/// each possible length, longest first; alternatives try each branch with the rest of the glob after it. Positions
/// of the top-level sequence already known to fail are remembered, so `*a*a*a…b` stays polynomial.
struct EditorConfigGlobMatcher {
    typealias Node = EditorConfigGlob.Node

    /// What is still to match after the alternative being tried: the rest of the enclosing sequence.
    final class Continuation {
        let nodes: [Node]
        let index: Int
        let next: Continuation?

        init(nodes: [Node], index: Int, next: Continuation?) {
            self.nodes = nodes
            self.index = index
            self.next = next
        }
    }

    /// Top-level (index, position) pairs known not to match.
    final class Failures {
        var known = Set<Int>()
    }

    let path: UnsafeBufferPointer<UInt8>
    private let failures: Failures?

    /// A matcher for `path`; `remembersFailures` for globs that can backtrack much (a few `*`, braces…).
    init(path: UnsafeBufferPointer<UInt8>, remembersFailures: Bool) {
        self.path = path
        failures = remembersFailures ? Failures() : nil
    }

    /// Whether `nodes[index...]`, then `rest`, match `path[position...]` to its end; with no `rest`, `nodes` is the
    /// top-level sequence (alternatives always pass one), whose failures are remembered.
    func matches(_ nodes: [Node], _ index: Int, _ position: Int, _ rest: Continuation?) -> Bool {
        guard rest == nil, let failures else { return matchesOnce(nodes, index, position, rest) }
        let key = index * (path.count + 1) + position
        if failures.known.contains(key) { return false }
        let matched = matchesOnce(nodes, index, position, nil)
        if !matched { failures.known.insert(key) }
        return matched
    }

    private func matchesOnce(_ nodes: [Node], _ index: Int, _ position: Int, _ rest: Continuation?) -> Bool {
        var index = index
        var position = position
        let count = path.count
        while index < nodes.count {
            switch nodes[index] {
            case .literal(let bytes):
                guard count - position >= bytes.count else { return false }
                for offset in 0..<bytes.count where path[position + offset] != bytes[offset] { return false }
                position += bytes.count
            case .anyCharacter:
                guard position < count, path[position] != 0x2F else { return false }
                position += Self.scalar(in: path[position...]).length
            case .bracket(let set):
                guard position < count else { return false }
                let (scalar, length) = Self.scalar(in: path[position...])
                guard set.contains(scalar) else { return false }
                position += length
            case .star:
                var end = position
                while end < count, path[end] != 0x2F { end += 1 }
                if index == nodes.count - 1, rest == nil { return end == count }
                for candidate in stride(from: end, through: position, by: -1)
                where matches(nodes, index + 1, candidate, rest) {
                    return true
                }
                return false
            case .starStar:
                if index == nodes.count - 1, rest == nil { return true }
                for candidate in stride(from: count, through: position, by: -1)
                where matches(nodes, index + 1, candidate, rest) {
                    return true
                }
                return false
            case .folders:
                var candidate = count - 1
                while candidate >= position {  // after each "/", deepest first, then no folder at all
                    if path[candidate] == 0x2F, matches(nodes, index + 1, candidate + 1, rest) { return true }
                    candidate -= 1
                }
                return matches(nodes, index + 1, position, rest)
            case .alternatives(let alternatives):
                let after = Continuation(nodes: nodes, index: index + 1, next: rest)
                return alternatives.contains { matches($0, 0, position, after) }
            case .number(let low, let high):
                return matchesNumber(low: low, high: high, nodes, index, position, rest)
            }
            index += 1
        }
        if let rest { return matches(rest.nodes, rest.index, position, rest.next) }
        return position == count
    }

    /// An integer in `low...high` written as Swift prints it (an optional `-`, no leading zeros), then the rest.
    private func matchesNumber(
        low: Int, high: Int, _ nodes: [Node], _ index: Int, _ position: Int, _ rest: Continuation?
    ) -> Bool {
        guard low <= high else { return false }
        let count = path.count
        var start = position
        let negative = start < count && path[start] == 0x2D
        if negative { start += 1 }
        var end = start
        while end < count, end - start < 19, path[end] >= 0x30, path[end] <= 0x39 { end += 1 }
        guard end > start else { return false }
        for stop in stride(from: end, to: start, by: -1) {
            if path[start] == 0x30, stop - start > 1 { continue }  // "060", "00"
            var value = 0
            for digit in path[start..<stop] { value = value * 10 + Int(digit - 0x30) }
            if negative { value = -value }
            if negative, value == 0 { continue }  // "-0"
            if value >= low, value <= high, matches(nodes, index + 1, stop, rest) { return true }
        }
        return false
    }

    /// The Unicode scalar starting the UTF-8 bytes `text`, and its length; a byte that starts no valid sequence
    /// stands for itself.
    static func scalar<Bytes: Collection>(in text: Bytes) -> (value: UInt32, length: Int)
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let first = text[text.startIndex]
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (UInt32(first), 1)
        }
        guard text.count >= length else { return (UInt32(first), 1) }
        var value = UInt32(first) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = text[text.startIndex + offset]
            guard byte & 0xC0 == 0x80 else { return (UInt32(first), 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (value, length)
    }
}
