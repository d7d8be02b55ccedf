/// Unified diffs of line arrays: made (for a finding's `fix`), parsed (from a formatter's `--diff` output) and applied
/// (for `fix: true`).
public enum UnifiedDiff {
    /// One hunk: where it applies and its lines, each marked ` ` (context), `-` (removed) or `+` (added).
    public struct Hunk: Sendable, Hashable {
        /// 1-based first line in the old file (0 for an empty old side).
        public var oldStart: Int
        /// Lines of the old file the hunk covers.
        public var oldCount: Int
        /// 1-based first line in the new file.
        public var newStart: Int
        /// Lines of the new file the hunk covers.
        public var newCount: Int
        /// The hunk's lines with their one-character marks.
        public var lines: [(mark: Character, text: String)]

        /// Old-file line numbers of the removed lines, or of the line the insertion follows for a pure insertion.
        public var touchedOldLines: ClosedRange<Int> {
            var first = oldStart
            var last = oldStart
            var number = oldStart
            var seen = false
            for line in lines {
                if line.mark == "-" {
                    if !seen { first = number }
                    last = number
                    seen = true
                }
                if line.mark != "+" { number += 1 }
            }
            if !seen && oldCount == 0 {
                // A pure insertion after line `oldStart`.
                first = max(1, oldStart)
                last = first
            } else if !seen {
                // An insertion among context lines: point at the line before it (or the first line).
                var position = oldStart
                for line in lines {
                    if line.mark == "+" { break }
                    position += 1
                }
                first = max(1, position - 1)
                last = first
            }
            return first...max(first, last)
        }

        /// Equal when the ranges and every marked line are equal.
        public static func == (lhs: Hunk, rhs: Hunk) -> Bool {
            lhs.oldStart == rhs.oldStart && lhs.oldCount == rhs.oldCount && lhs.newStart == rhs.newStart
                && lhs.newCount == rhs.newCount && lhs.lines.map(\.mark) == rhs.lines.map(\.mark)
                && lhs.lines.map(\.text) == rhs.lines.map(\.text)
        }

        /// Hashes the starts and the text of the lines.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(oldStart)
            hasher.combine(newStart)
            hasher.combine(lines.map(\.text))
        }

        /// The hunk as unified-diff text, header included.
        public var text: String {
            var out = "@@ -\(UnifiedDiff.range(oldStart, oldCount)) +\(UnifiedDiff.range(newStart, newCount)) @@\n"
            for line in lines { out += "\(line.mark)\(line.text)\n" }
            return out
        }
    }

    /// The patch of one file.
    public struct FilePatch: Sendable, Hashable {
        /// Path on the old side, without `a/` (nil for `/dev/null`).
        public var oldPath: String?
        /// Path on the new side, without `b/` (nil for `/dev/null`).
        public var newPath: String?
        /// The hunks, in order.
        public var hunks: [Hunk]
    }

    /// A patch could not be read or does not apply.
    public struct PatchError: Error, CustomStringConvertible, Sendable {
        /// What went wrong.
        public var description: String
    }

    /// The hunks turning `old` into `new`, with `context` unchanged lines around each change.
    public static func hunks(old: [String], new: [String], context: Int = 3) -> [Hunk] {
        let script = editScript(old, new)
        guard script.contains(where: { $0.mark != " " }) else { return [] }
        // Group changes whose context windows touch.
        var hunks: [Hunk] = []
        var index = 0
        var oldLine = 1
        var newLine = 1
        var positions: [(old: Int, new: Int)] = []
        for entry in script {
            positions.append((oldLine, newLine))
            if entry.mark != "+" { oldLine += 1 }
            if entry.mark != "-" { newLine += 1 }
        }
        while index < script.count {
            guard let firstChange = script[index...].firstIndex(where: { $0.mark != " " }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            var lastChange = firstChange
            while end < script.count {
                if script[end].mark != " " { lastChange = end }
                if end - lastChange > 2 * context { break }
                end += 1
            }
            let stop = min(script.count, lastChange + context + 1)
            let slice = Array(script[start..<stop])
            let oldCount = slice.filter { $0.mark != "+" }.count
            let newCount = slice.filter { $0.mark != "-" }.count
            hunks.append(
                Hunk(
                    oldStart: oldCount == 0 ? positions[start].old - 1 : positions[start].old, oldCount: oldCount,
                    newStart: newCount == 0 ? positions[start].new - 1 : positions[start].new, newCount: newCount,
                    lines: slice))
            index = stop
        }
        return hunks
    }

    /// A whole-file patch (`--- a/path`, `+++ b/path`); `old == nil` makes a new file.
    public static func patch(path: String, old: [String]?, new: [String], context: Int = 3) -> String {
        let hunks = hunks(old: old ?? [], new: new, context: context)
        guard !hunks.isEmpty else { return "" }
        return header(path: path, isNew: old == nil) + hunks.map(\.text).joined()
    }

    /// The `---`/`+++` header of a patch of `path`.
    public static func header(path: String, isNew: Bool = false) -> String {
        "--- \(isNew ? "/dev/null" : "a/\(path)")\n+++ b/\(path)\n"
    }

    /// Reads unified-diff text (as printed by `diff -u`, `git diff`, `black --diff`, `gofmt -d`…).
    public static func parse(_ text: String) throws(PatchError) -> [FilePatch] {
        var patches: [FilePatch] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var index = 0
        func path(_ line: String) -> String? {
            var value = String(line.dropFirst(4))
            if let tab = value.firstIndex(of: "\t") { value = String(value[..<tab]) }
            if value == "/dev/null" { return nil }
            if value.hasPrefix("a/") || value.hasPrefix("b/") { value.removeFirst(2) }
            return value
        }
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("--- "), index + 1 < lines.count, lines[index + 1].hasPrefix("+++ ") {
                patches.append(FilePatch(oldPath: path(line), newPath: path(lines[index + 1]), hunks: []))
                index += 2
                continue
            }
            if line.hasPrefix("@@ ") {
                guard !patches.isEmpty else { throw PatchError(description: "a hunk comes before any file header") }
                guard let header = parseHeader(line) else {
                    throw PatchError(description: "cannot read the hunk header '\(line)'")
                }
                var hunk = Hunk(
                    oldStart: header.0, oldCount: header.1, newStart: header.2, newCount: header.3, lines: [])
                var oldSeen = 0
                var newSeen = 0
                index += 1
                while index < lines.count, oldSeen < hunk.oldCount || newSeen < hunk.newCount {
                    let body = lines[index]
                    index += 1
                    if body.hasPrefix("\\") { continue }  // "\ No newline at end of file"
                    let mark = body.first ?? " "
                    guard mark == " " || mark == "-" || mark == "+" else {
                        throw PatchError(description: "unexpected line in a hunk: '\(body.prefix(60))'")
                    }
                    hunk.lines.append((mark, String(body.dropFirst())))
                    if mark != "+" { oldSeen += 1 }
                    if mark != "-" { newSeen += 1 }
                }
                patches[patches.count - 1].hunks.append(hunk)
                continue
            }
            index += 1
        }
        return patches
    }

    /// Applies `hunks` to `lines`; every context and removed line must match.
    public static func apply(_ hunks: [Hunk], to lines: [String]) throws(PatchError) -> [String] {
        var result: [String] = []
        var next = 0  // index in `lines` of the next line not yet copied
        for hunk in hunks {
            let start = hunk.oldCount == 0 ? hunk.oldStart : hunk.oldStart - 1
            guard start >= next, start <= lines.count else {
                throw PatchError(description: "hunk at line \(hunk.oldStart) is out of order or past the end")
            }
            result += lines[next..<start]
            var position = start
            for line in hunk.lines {
                switch line.mark {
                case "+": result.append(line.text)
                default:
                    guard position < lines.count, lines[position] == line.text else {
                        throw PatchError(description: "hunk at line \(hunk.oldStart) does not match the file")
                    }
                    if line.mark == " " { result.append(line.text) }
                    position += 1
                }
            }
            next = position
        }
        return result + lines[next...]
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }

    static func parseHeader(_ line: String) -> (Int, Int, Int, Int)? {
        let parts = line.split(separator: " ")
        guard parts.count >= 3, parts[1].hasPrefix("-"), parts[2].hasPrefix("+") else { return nil }
        func pair(_ text: Substring) -> (Int, Int)? {
            let numbers = text.dropFirst().split(separator: ",")
            guard let start = Int(numbers.first ?? "") else { return nil }
            if numbers.count == 1 { return (start, 1) }
            guard let count = Int(numbers[1]) else { return nil }
            return (start, count)
        }
        guard let old = pair(parts[1]), let new = pair(parts[2]) else { return nil }
        return (old.0, old.1, new.0, new.1)
    }

    /// A shortest-enough edit script: common prefix and suffix, then a longest common subsequence of the middle
    /// (a plain replacement when the middle is too large for the table).
    static func editScript(_ old: [String], _ new: [String]) -> [(mark: Character, text: String)] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        var script: [(mark: Character, text: String)] = old[..<prefix].map { (" ", $0) }
        if a.count * b.count <= 4_000_000 {
            // table[i][j]: LCS length of a[i...] and b[j...].
            let width = b.count + 1
            var table = [Int32](repeating: 0, count: (a.count + 1) * width)
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    table[i * width + j] =
                        a[i] == b[j]
                        ? table[(i + 1) * width + j + 1] + 1
                        : max(table[(i + 1) * width + j], table[i * width + j + 1])
                }
            }
            var i = 0
            var j = 0
            while i < a.count || j < b.count {
                if i < a.count, j < b.count, a[i] == b[j] {
                    script.append((" ", a[i]))
                    i += 1
                    j += 1
                } else if i < a.count, j == b.count || table[(i + 1) * width + j] >= table[i * width + j + 1] {
                    script.append(("-", a[i]))
                    i += 1
                } else {
                    script.append(("+", b[j]))
                    j += 1
                }
            }
        } else {
            script += a.map { ("-", $0) } + b.map { ("+", $0) }
        }
        script += old[(old.count - suffix)...].map { (" ", $0) }
        return script
    }
}
