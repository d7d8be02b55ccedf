import DevFlowCompiler
import DevFlowDiagnostics
import Foundation

/// Inline suppressions: `# devflow-lint: ignore[rule, …] reason` on the flagged line or the line above it.
public struct Suppressions {
    struct Entry {
        var rules: [String]  // codes
        var names: [String]  // as written
        var line: Int  // the line it applies to
        var span: SourceSpan
        var used = false
    }

    /// A suppression is malformed: no reason, or an unknown rule.
    public static let invalidSuppression = RuleDescriptor(
        code: "DF033", name: "invalid-suppression", severity: .error,
        summary: "an inline suppression has no reason or names an unknown rule",
        explanation: """
            `# devflow-lint: ignore[rule] reason` silences `rule` on its own line (as a trailing \
            comment) or on the next line (on a line of its own). The reason is required, so that a \
            reviewer can judge the exception, and the rule must exist (by code or name).

            ```yaml
            run: echo "${{ event.pull_request.title }}"  # devflow-lint: ignore[template-injection]
            # DF033: a suppression needs a reason after the brackets
            ```
            """)

    /// A suppression that silenced nothing.
    public static let unusedSuppression = RuleDescriptor(
        code: "DF034", name: "unused-suppression", severity: .warning,
        summary: "an inline suppression silences nothing",
        explanation: """
            A suppression whose rule no longer fires on its line hides nothing today, but would \
            silently hide a new problem tomorrow. Remove it.

            ```yaml
            # devflow-lint: ignore[unknown-key] legacy key kept for the old runner
            name: ci          # DF034: nothing to suppress here
            ```
            """)

    var entries: [Entry] = []
    /// Problems with the suppressions themselves.
    public private(set) var diagnostics: [Diagnostic] = []

    /// Scans `source` for suppression comments.
    public init(source: SourceFile, rules: [RuleDescriptor]) {
        let marker = Array("devflow-lint:".utf8)
        guard Self.find(marker, in: source.bytes[...], from: 0) != nil else { return }
        for line in 1...max(1, source.lineCount) {
            let range = source.byteRange(ofLine: line)
            let bytes = source.bytes[range]
            guard let hash = Self.commentStart(bytes), let markerStart = Self.find(marker, in: bytes, from: hash) else {
                continue
            }
            let commentText = String(decoding: bytes[markerStart...], as: UTF8.self)
            let ownLine = bytes[bytes.startIndex..<hash].allSatisfy { $0 == 0x20 || $0 == 0x09 }
            let span = source.span(from: hash, to: range.upperBound)
            parse(commentText, appliesTo: ownLine ? line + 1 : line, span: span, rules: rules)
        }
    }

    /// The offset of a `#` that starts a comment (outside quotes), if any.
    static func commentStart(_ bytes: ArraySlice<UInt8>) -> Int? {
        var quote: UInt8? = nil
        var previous: UInt8 = 0x20
        for index in bytes.indices {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == 0x27 || byte == 0x22 {
                quote = byte
            } else if byte == 0x23 && (previous == 0x20 || previous == 0x09 || index == bytes.startIndex) {
                return index
            }
            previous = byte
        }
        return nil
    }

    static func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard start < bytes.endIndex, let first = needle.first else { return nil }
        return bytes[start...].withUnsafeBufferPointer { haystack -> Int? in
            guard let base = haystack.baseAddress else { return nil }
            var offset = 0
            while offset + needle.count <= haystack.count {
                // memchr finds candidates at memory speed; then compare the rest.
                guard let hit = memchr(base + offset, Int32(first), haystack.count - offset) else { return nil }
                let position = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if position + needle.count > haystack.count { return nil }
                if needle.withUnsafeBufferPointer({ memcmp(base + position, $0.baseAddress!, needle.count) == 0 }) {
                    return start + position
                }
                offset = position + 1
            }
            return nil
        }
    }

    private mutating func parse(_ text: String, appliesTo line: Int, span: SourceSpan, rules: [RuleDescriptor]) {
        var rest = text.dropFirst("devflow-lint:".count).drop { $0 == " " }
        guard rest.hasPrefix("ignore[") else {
            diagnostics.append(
                Self.invalidSuppression.diagnostic(
                    "unknown devflow-lint directive; write 'devflow-lint: ignore[rule] reason'", at: span))
            return
        }
        rest = rest.dropFirst("ignore[".count)
        guard let close = rest.firstIndex(of: "]") else {
            diagnostics.append(Self.invalidSuppression.diagnostic("suppression is missing its closing ']'", at: span))
            return
        }
        let names = rest[..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let reason = rest[rest.index(after: close)...].trimmingCharacters(in: .whitespaces)
        var codes: [String] = []
        for name in names {
            if let rule = rules.first(where: { $0.id.code == name || $0.id.name == name }) {
                codes.append(rule.id.code)
            } else {
                let candidates = Suggestions.closest(to: name, among: rules.map(\.id.name))
                diagnostics.append(
                    Self.invalidSuppression.diagnostic(
                        "suppression names unknown rule '\(name)'\(Suggestions.didYouMean(candidates))", at: span))
            }
        }
        if names.isEmpty {
            diagnostics.append(
                Self.invalidSuppression.diagnostic("suppression names no rule; write 'ignore[rule] reason'", at: span))
            return
        }
        if reason.isEmpty {
            diagnostics.append(
                Self.invalidSuppression.diagnostic(
                    "suppression of \(names.map { "'\($0)'" }.joined(separator: ", ")) has no reason; add why after the brackets",
                    at: span))
            return
        }
        if !codes.isEmpty { entries.append(Entry(rules: codes, names: names, line: line, span: span)) }
    }

    /// Removes suppressed diagnostics and reports unused suppressions.
    public mutating func filter(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var kept: [Diagnostic] = []
        for diagnostic in diagnostics {
            if let index = entries.firstIndex(where: {
                $0.line == diagnostic.span.start.line && $0.rules.contains(diagnostic.id.code)
            }) {
                entries[index].used = true
                continue
            }
            kept.append(diagnostic)
        }
        for entry in entries where !entry.used {
            kept.append(
                Self.unusedSuppression.diagnostic(
                    "suppression of \(entry.names.map { "'\($0)'" }.joined(separator: ", ")) silences nothing on line \(entry.line)",
                    at: entry.span))
        }
        return kept + self.diagnostics
    }
}
