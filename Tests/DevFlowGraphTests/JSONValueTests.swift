import DevFlowGraph
import Foundation
import Testing

/// Compact JSON of values (run events, `to_json`): exact escaping, sorted keys, and text that parses back.
@Suite struct JSONValueTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("quote \" and \\ slash /", #""quote \" and \\ slash /""#),
        ("lines\n\r\ttab", #""lines\n\r\ttab""#),
        ("\u{1}\u{1f}", #""\u0001\u001f""#),
        ("ünïcode ✓ 😀", #""ünïcode ✓ 😀""#),
        ("a\"b\nc — ✓\u{7f}\u{8}", #""a\"b\nc — ✓"# + "\u{7f}" + #"\u0008""#),
    ])
    func stringsAreQuotedExactly(text: String, expected: String) {
        #expect(JSONValue.quote(text) == expected)
        var bytes: [UInt8] = [0x2A]
        JSONValue.writeQuoted(text, into: &bytes)
        #expect(bytes == [0x2A] + Array(expected.utf8))
        #expect(JSONValue.string(text).compactJSON == expected)
        #expect(JSONValue.needsEscaping(text) == (expected != "\"\(text)\""))
    }

    @Test func nestedValuesHaveSortedKeysAndParseBack() throws {
        let value = JSONValue.object([
            "b": .array([.number(1), .number(2.5), .null, .bool(true)]),
            "a": .object(["z": .string("x\ny"), "y": .array([])]),
            "c": .string("plain"),
        ])
        let text = value.compactJSON
        #expect(text == #"{"a":{"y":[],"z":"x\ny"},"b":[1,2.5,null,true],"c":"plain"}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect((parsed?["a"] as? [String: Any])?["z"] as? String == "x\ny")
        var appended = "prefix:"
        value.writeCompactJSON(into: &appended)
        #expect(appended == "prefix:" + text)
    }
}
