import Foundation
import Testing

@testable import DevFlowAgents

/// style-enforcer's view of a file: lines as offsets with their terminators, the quick per-line test, and repairs
/// written back around the untouched bytes.
@Suite("style-enforcer text")
struct StyledTextTests {
    @Test("LF, CRLF, a bare CR and a last line without terminator; the BOM is not part of the first line")
    func lines() {
        let text = StyledText(bytes: [0xEF, 0xBB, 0xBF] + Array("a\nb\r\nc\rd\r\r\ne".utf8))
        #expect(text.hasBOM)
        let lines = text.lines.indices.map { text.line($0) }
        #expect(lines.map(\.text) == ["a", "b", "c", "d", "", "e"])
        #expect(lines.map { Array($0.terminator) } == [[10], [13, 10], [13], [13], [13, 10], []])
        #expect(StyledText(bytes: []).lines.isEmpty)
        #expect(StyledText(bytes: Array("x\n".utf8)).lines.count == 1)
    }

    @Test("UTF-8 validity: ASCII, multi-byte text and a stray byte")
    func utf8() {
        #expect(StyledText(bytes: Array("plain ascii text, long enough for words".utf8)).isValidUTF8)
        #expect(StyledText(bytes: Array("héllo wörld, ünïcode".utf8)).isValidUTF8)
        #expect(!StyledText(bytes: Array("abcdefgh".utf8) + [0xFF]).isValidUTF8)
    }

    @Test("the quick test passes over clean lines and catches every kind of finding")
    func quickTest() {
        let properties = EditorConfig.Properties(
            indentStyle: "space", indentSize: 4, endOfLine: "lf", trimTrailingWhitespace: true,
            insertFinalNewline: true, maxLineLength: 10)
        let rules = LineRules(properties: properties, expectedTerminator: [10])
        let text = StyledText(bytes: Array("    ok\n\tx\n  y\nz \nlong line here\nw\r\nfine\nlast".utf8))
        let flagged = text.bytes.withUnsafeBufferPointer { buffer in
            text.lines.indices.filter { rules.mayFind(buffer, text.lines[$0], isLast: $0 == text.lines.count - 1) }
        }
        #expect(flagged == [1, 2, 3, 4, 5, 7])
        let comment = StyledText(bytes: Array("     * a\n".utf8))
        let continued = comment.bytes.withUnsafeBufferPointer { rules.mayFind($0, comment.lines[0], isLast: false) }
        #expect(!continued)
    }

    @Test("repairs replace their lines only; the BOM and the other bytes stay as they were")
    func repairs() {
        let properties = EditorConfig.Properties(endOfLine: "lf", trimTrailingWhitespace: true)
        let text = StyledText(bytes: [0xEF, 0xBB, 0xBF] + Array("keep  \r\nfine\nend".utf8))
        let check = EditorConfigCheck(path: "f.txt", text: text, properties: properties, lines: nil)
        #expect(check.findings.map(\.rule) == ["trailing-whitespace", "end-of-line"])
        #expect(check.repairs.keys.sorted() == [0])
        #expect(text.applying(check.repairs) == [0xEF, 0xBB, 0xBF] + Array("keep\nfine\nend".utf8))
        let scoped = EditorConfigCheck(path: "f.txt", text: text, properties: properties, lines: [2])
        #expect(scoped.findings.isEmpty && scoped.repairs.isEmpty)
    }
}
