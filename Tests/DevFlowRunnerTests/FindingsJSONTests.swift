import DevFlowStore
import Foundation
import Testing

@testable import DevFlowRunCommands

/// `--format json` of findings is written by hand for speed: it must be the bytes `JSONEncoder` gives (pretty,
/// sorted keys, slashes unescaped), for findings with and without their optional fields and with any text.
@Suite struct FindingsJSONTests {
    static func encoded(_ findings: [FindingRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(findings), as: UTF8.self) + "\n"
    }

    static let texts = [
        "plain", "", "a \"quoted\" \\ back/slash", "line\nbreak\r\ttab", "control \u{01}\u{1F}\u{7F}",
        "unicode é 中文 🎉 \u{2028}", "src/main.swift",
    ]

    static func finding(_ index: Int, text: String) -> FindingRecord {
        FindingRecord(
            id: index % 2 == 0 ? Int64(index + 1) : nil, runId: Int64(7 + index), nodeId: "style-\(text)",
            attempt: 1 + index % 3, rule: "trailing-whitespace", severity: ["low", "medium", "high"][index % 3],
            file: text, line: index, column: 1 + index, endLine: index + 1, endColumn: 80, message: "message: \(text)",
            fix: index % 3 == 0 ? nil : "--- a/\(text)\n+++ b/\(text)\n@@ -1 +1 @@\n-x \n+x\n")
    }

    @Test("the same bytes as JSONEncoder: none, one, and many findings with every kind of text")
    func sameBytes() throws {
        #expect(FindingsCommand.json([]) == (try Self.encoded([])))
        let one = [Self.finding(0, text: "x")]
        #expect(FindingsCommand.json(one) == (try Self.encoded(one)))
        let many = Self.texts.enumerated().map { Self.finding($0.offset, text: $0.element) }
        #expect(FindingsCommand.json(many) == (try Self.encoded(many)))
    }

    @Test("backspace and form feed decode to the same findings (written as \\u0008 and \\u000c)")
    func escapesDecode() throws {
        let findings = [Self.finding(1, text: "bell\u{08}feed\u{0C}")]
        let decoded = try JSONDecoder().decode(
            [FindingRecord].self, from: Data(FindingsCommand.json(findings).utf8))
        #expect(decoded == findings)
    }
}
