import DevFlowDiagnostics

/// The unified diff (`diff -u`, three lines of context) of a file before and after edits, computed from the edits
/// themselves: the lines they touch are the changed lines, so no general diff algorithm is needed.
public enum UnifiedDiff {
    /// Lines of context around each change.
    static let context = 3

    /// A run of whole old lines the edits touch, and what they become.
    struct Change {
        var firstLine: Int  // 0-based index of the first old line
        var oldLines: [String]
        var newLines: [String]
        /// The change reaches the end of the file, and the old or new text there has no final newline.
        var oldUnterminated = false
        var newUnterminated = false
    }

    /// `--- a/PATH`, `+++ b/PATH` and the hunks; empty when `edits` change nothing.
    public static func render(path: String, original: [UInt8], edits: [TextEdit]) -> String {
        let lines = splitLines(original)
        let changes = changes(original, lines: lines, edits: edits).filter { $0.oldLines != $0.newLines }
        guard !changes.isEmpty else { return "" }
        var output = "--- a/\(path)\n+++ b/\(path)\n"
        var index = 0
        var delta = 0
        while index < changes.count {
            // Changes closer than twice the context share a hunk.
            var last = index
            while last + 1 < changes.count,
                changes[last + 1].firstLine - (changes[last].firstLine + changes[last].oldLines.count) <= 2 * context
            {
                last += 1
            }
            let start = max(changes[index].firstLine - context, 0)
            var body: [String] = lines[start..<changes[index].firstLine].map { " " + $0.text }
            var oldCount = changes[index].firstLine - start
            var newCount = oldCount
            var hunkDelta = 0
            for position in index...last {
                let change = changes[position]
                if position > index {
                    let previous = changes[position - 1]
                    let gap = lines[(previous.firstLine + previous.oldLines.count)..<change.firstLine]
                    body += gap.map { " " + $0.text }
                    oldCount += gap.count
                    newCount += gap.count
                }
                body += change.oldLines.map { "-" + $0 }
                if change.oldUnterminated { body.append(noNewline) }
                body += change.newLines.map { "+" + $0 }
                if change.newUnterminated { body.append(noNewline) }
                oldCount += change.oldLines.count
                newCount += change.newLines.count
                hunkDelta += change.newLines.count - change.oldLines.count
            }
            let end = changes[last].firstLine + changes[last].oldLines.count
            let trailing = lines[end..<min(end + context, lines.count)]
            body += trailing.map { " " + $0.text }
            if let final = trailing.last, !final.terminated { body.append(noNewline) }
            oldCount += trailing.count
            newCount += trailing.count
            let oldStart = oldCount == 0 ? start : start + 1
            let newStart = newCount == 0 ? start + delta : start + delta + 1
            output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            output += body.map { $0 + "\n" }.joined()
            delta += hunkDelta
            index = last + 1
        }
        return output
    }

    /// One line of the original: its text (without the newline) and the byte range it covers (with it).
    struct Line {
        var text: String
        var start: Int
        var end: Int
        /// False for a last line without a newline.
        var terminated = true
    }

    static let noNewline = "\\ No newline at end of file"

    static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(
                Line(text: String(decoding: bytes[start..<offset], as: UTF8.self), start: start, end: offset + 1))
            start = offset + 1
        }
        if start < bytes.count {
            lines.append(
                Line(
                    text: String(decoding: bytes[start...], as: UTF8.self), start: start, end: bytes.count,
                    terminated: false))
        }
        return lines
    }

    /// The touched lines of each group of edits (edits on the same or adjacent lines form one group).
    static func changes(_ original: [UInt8], lines: [Line], edits: [TextEdit]) -> [Change] {
        func line(containing offset: Int) -> Int {
            var low = 0
            var high = max(lines.count - 1, 0)
            while low < high {
                let middle = (low + high + 1) / 2
                if lines[middle].start <= offset { low = middle } else { high = middle - 1 }
            }
            return low
        }
        var groups: [(first: Int, last: Int, edits: [TextEdit])] = []
        for edit in edits.sorted(by: { $0.span.start.offset < $1.span.start.offset }) {
            let first = line(containing: edit.span.start.offset)
            let last = line(containing: max(edit.span.end.offset - 1, edit.span.start.offset))
            if let previous = groups.last, first <= previous.last + 1 {
                groups[groups.count - 1].last = max(previous.last, last)
                groups[groups.count - 1].edits.append(edit)
            } else {
                groups.append((first, last, [edit]))
            }
        }
        guard !lines.isEmpty else {
            let inserted = FixApplier.apply([FixIt("", edits: edits)], to: original).bytes
            return [Change(firstLine: 0, oldLines: [], newLines: splitLines(inserted).map(\.text))]
        }
        return groups.map { group in
            let start = lines[group.first].start
            let end = lines[group.last].end
            var segment = Array(original[start..<end])
            for edit in group.edits.reversed() {
                segment.replaceSubrange(
                    (edit.span.start.offset - start)..<(edit.span.end.offset - start),
                    with: Array(edit.replacement.utf8))
            }
            let newLines = splitLines(segment)
            return Change(
                firstLine: group.first, oldLines: lines[group.first...group.last].map(\.text),
                newLines: newLines.map(\.text), oldUnterminated: !lines[group.last].terminated,
                newUnterminated: newLines.last.map { !$0.terminated } ?? false)
        }
    }
}
