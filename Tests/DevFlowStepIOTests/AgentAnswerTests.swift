import DevFlowAgents
import Testing

@testable import DevFlowStepIO

/// How an agent's answer is read: what is accepted, and the one-line message for each way it can be wrong.
@Suite struct AgentAnswerTests {
    static func refusal(_ text: String) -> String? {
        guard case .failure(let error) = AgentAnswer.read(text) else { return nil }
        return error.message
    }

    @Test func aCompleteAnswerIsRead() throws {
        let text = """
            {"version": 1, "status": "failure", "summary": "one problem", "outputs": {"count": "1"},
             "findings": [{"rule": "unsafe-eval", "severity": "HIGH", "file": "app.py", "line": 4, "column": 2,
                           "endLine": 5, "endColumn": 9, "message": "eval of input", "fix": "--- a\\n+++ b\\n"}]}
            """
        let answer = try AgentAnswer.read(text).get()
        #expect(answer.status == "failure")
        #expect(answer.outputs == ["count": "1"])
        let finding = Finding(reported: try #require(answer.findings?.first))
        #expect(finding.severity == .high)
        #expect([finding.line, finding.column, finding.endLine, finding.endColumn] == [4, 2, 5, 9])
    }

    @Test func missingPositionsBecomeAFileLevelRegion() throws {
        let answer = try AgentAnswer.read(
            #"{"version": 1, "status": "success", "findings": [{"rule": "r", "severity": "note", "message": "m"}]}"#
        ).get()
        let finding = Finding(reported: try #require(answer.findings?.first))
        #expect(finding.severity == .low)
        #expect(finding.file == "")
        #expect([finding.line, finding.column, finding.endLine, finding.endColumn] == [0, 1, 0, 1])
    }

    @Test func eachRefusalNamesTheFieldOnOneLine() {
        let cases: [(String, String)] = [
            ("", "it is not JSON"),
            ("not json\nat all", "(not json\\nat all): it is not JSON"),
            (#"{"version": 1}"#, "'status' is missing"),
            (#"{"version": "1", "status": "success"}"#, "'version' must be a whole number"),
            (#"{"version": 1, "status": "success", "findings": {}}"#, "'findings' must be an array"),
            (
                #"{"version": 1, "status": "success", "findings": [{"rule": "r", "severity": "low", "line": "4", "message": "m"}]}"#,
                "'findings[0].line' must be a whole number"
            ),
            (#"{"version": 1, "status": "success", "outputs": {"a": 1}}"#, "'outputs.a' must be a string"),
            (#"{"version": 1, "status": null}"#, "'status' is null"),
            (#"{"version": 2, "status": "success"}"#, "protocol version 2; this runner speaks 1"),
        ]
        for (text, expected) in cases {
            let message = Self.refusal(text)
            #expect(message?.contains(expected) == true, "\(text): \(message ?? "accepted")")
            #expect(message?.contains("\n") == false)
        }
    }

    /// Found by fuzz-agent-answer (fuzz/regressions/fuzz-agent-answer/outputs-of-several-types): of several outputs
    /// that are not strings, which one the message named changed from one read to the next.
    @Test func ofSeveralWrongOutputsTheFirstByNameIsNamedEveryTime() {
        let text = #"{"version": 1, "status": "success", "outputs": {"d": 4, "b": 2, "c": "3", "a": [1], "e": 5}}"#
        for _ in 0..<50 { #expect(Self.refusal(text)?.hasSuffix("'outputs.a' must be a string") == true) }
    }

    @Test func impossibleRegionsAreRefused() {
        func answer(_ region: String) -> String {
            #"{"version": 1, "status": "failure", "findings": [{"rule": "ok", "severity": "low", "line": 1, "message": "m"}, {"rule": "r", "severity": "low", "message": "m", "#
                + region + "}]}"
        }
        #expect(Self.refusal(answer(#""line": -1"#))?.contains("findings[1] ('r'): 'line' is -1") == true)
        #expect(Self.refusal(answer(#""line": 3, "column": 0"#))?.contains("'column' is 0") == true)
        #expect(Self.refusal(answer(#""line": 7, "endLine": 3"#))?.contains("'endLine' 3 is before 'line' 7") == true)
        #expect(Self.refusal(answer(#""line": 7, "endColumn": -4"#))?.contains("'endColumn' is -4") == true)
        #expect(Self.refusal(answer(#""line": 7, "endLine": 7, "column": 1, "endColumn": 1"#)) == nil)
    }

    @Test func theExcerptIsShortAndEscaped() {
        #expect(AgentAnswer.excerpt("a\tb\u{1B}[31m\u{2028}") == "a\\tb\\u{1b}[31m\\u{2028}")
        #expect(AgentAnswer.excerpt(String(repeating: "x", count: 100)) == String(repeating: "x", count: 80) + "…")
    }
}
