import DevFlowAgents
import DevFlowGit
import Foundation

/// What the model reviews: the changed hunks with new-file line numbers (`scope: changes`), or whole files
/// (`scope: all`), rendered for the prompt within a byte budget.
public struct ReviewDiff: Sendable {
    /// One line shown to the model.
    public struct Line: Sendable, Equatable {
        /// `+` added, `-` removed, ` ` context.
        public var marker: Character
        /// The new-file line number (nil for removed lines).
        public var number: Int?
        /// The text.
        public var text: String
    }

    /// One file: its hunks, each a header and lines.
    public struct File: Sendable {
        /// Repository-relative path.
        public var path: String
        /// `(header, lines)` per hunk.
        public var hunks: [(header: String, lines: [Line])]
    }

    /// The files, in path order.
    public var files: [File]
    /// Files left out, with why (binary, deleted…).
    public var skipped: [String]
    /// Whether these are whole files (`scope: all`) rather than changes.
    public var wholeFiles: Bool

    /// The hunks of `diffs`, with the new side's context lines read from `workspace` when the file is there.
    public static func changes(_ diffs: [GitFileDiff], workspace: String) -> ReviewDiff {
        var files: [File] = []
        var skipped: [String] = []
        for diff in diffs.sorted(by: { $0.path.string < $1.path.string }) {
            let path = diff.path.string
            if diff.change.isBinary {
                skipped.append("\(path): binary")
                continue
            }
            if diff.change.kind == .deleted {
                skipped.append("\(path): deleted")
                continue
            }
            let current = FileManager.default.contents(atPath: "\(workspace)/\(path)").map {
                String(decoding: $0, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            }
            let hunks = diff.hunks.map { (header: $0.header, lines: lines(of: $0, current: current)) }
            if !hunks.isEmpty { files.append(File(path: path, hunks: hunks)) }
        }
        return ReviewDiff(files: files, skipped: skipped, wholeFiles: false)
    }

    /// Every file of `scope` (from `AgentScope.all`) as one numbered hunk.
    public static func whole(_ scope: AgentScope) -> ReviewDiff {
        let files = scope.files.map { file in
            File(
                path: file.path,
                hunks: [
                    (
                        header: "whole file, \(file.lines.count) lines",
                        lines: file.lines.map { Line(marker: " ", number: $0.number, text: $0.text) }
                    )
                ])
        }
        return ReviewDiff(files: files, skipped: scope.skipped, wholeFiles: true)
    }

    /// A hunk's lines in diff order: removed lines before the added lines that replace them, context lines in
    /// between from the current file (`current`) when it is readable.
    static func lines(of hunk: GitHunk, current: [Substring]?) -> [Line] {
        let removed = Dictionary(
            hunk.removedLines.map { ($0.number, $0.text) }, uniquingKeysWith: { first, _ in first })
        let added = Dictionary(hunk.addedLines.map { ($0.number, $0.text) }, uniquingKeysWith: { first, _ in first })
        var old = hunk.oldStart
        var new = hunk.newStart
        let oldEnd = hunk.oldStart + hunk.oldCount
        let newEnd = hunk.newStart + hunk.newCount
        var lines: [Line] = []
        while old < oldEnd || new < newEnd {
            if old < oldEnd, let text = removed[old] {
                lines.append(Line(marker: "-", number: nil, text: text))
                old += 1
            } else if new < newEnd, let text = added[new] {
                lines.append(Line(marker: "+", number: new, text: text))
                new += 1
            } else {
                if new < newEnd, let current, new >= 1, new <= current.count {
                    lines.append(Line(marker: " ", number: new, text: String(current[new - 1])))
                }
                old += 1
                new += 1
            }
        }
        return lines
    }

    /// The text for the prompt, at most `maxBytes` bytes of lines; the lines it shows (`path` → line numbers);
    /// and, when lines were left out, a note saying so.
    public func render(maxBytes: Int) -> (text: String, shown: [String: Set<Int>], note: String?) {
        var text = ""
        var shown: [String: Set<Int>] = [:]
        var omitted: [String] = []
        var full = false
        for file in files {
            guard !full else {
                omitted.append(file.path)
                continue
            }
            text += "=== \(file.path)\n"
            fileLoop: for hunk in file.hunks {
                text += hunk.header.hasPrefix("@@") ? "\(hunk.header)\n" : "@@ \(hunk.header) @@\n"
                for line in hunk.lines {
                    let number = line.number.map { String($0) } ?? ""
                    let rendered =
                        "\(line.marker)\(String(repeating: " ", count: max(0, 6 - number.count)))\(number) | \(line.text)\n"
                    if text.utf8.count + rendered.utf8.count > maxBytes {
                        full = true
                        omitted.append("\(file.path) (from here)")
                        break fileLoop
                    }
                    text += rendered
                    if let number = line.number { shown[file.path, default: []].insert(number) }
                }
            }
            text += "\n"
        }
        let note =
            omitted.isEmpty
            ? nil
            : "the diff was cut at max_diff_bytes=\(maxBytes); left out: \(omitted.joined(separator: ", "))"
        if let note { text += "[\(note)]\n" }
        return (text, shown, note)
    }
}
