import DevFlowGraph
import Foundation
import Testing

@testable import DevFlowAPIRequests

/// The API's request readers on bytes and text alone: what each accepts, and the 4xx and the one-line message of
/// each refusal.
@Suite struct APIRequestsTests {
    static func refusal(_ body: () throws(APIError) -> Void) -> APIError? {
        do throws(APIError) {
            try body()
            return nil
        } catch { return error }
    }

    @Test func bodiesAreJSONObjectsSentAsJSON() throws {
        #expect(
            try APIRequestBody.object(Array(#"{"ref": "main"}"#.utf8), contentType: "application/json") == [
                "ref": .string("main")
            ])
        #expect(try APIRequestBody.object([], contentType: nil, allowEmpty: true) == [:])
        let cases: [([UInt8], String?, Int, String)] = [
            ([], nil, 400, "the body is empty; send a JSON object"),
            (Array(" \n\t".utf8), nil, 400, "the body is only whitespace"),
            (Array("{}".utf8), "text/plain\r\nX-Evil: 1", 415, "not text/plain\\r\\nX-Evil: 1"),
            (Array("{".utf8), "application/json; charset=utf-8", 400, "the body is not valid JSON"),
            (Array("[1]".utf8), nil, 400, "the body must be a JSON object"),
            ([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], nil, 400, "the body is not valid JSON"),
        ]
        for (bytes, type, status, message) in cases {
            let error = Self.refusal { () throws(APIError) in _ = try APIRequestBody.object(bytes, contentType: type) }
            #expect(error.map { Int($0.status.code) } == status)
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "accepted")")
        }
    }

    @Test func fieldsHaveTheirTypeOr422() throws {
        let body: [String: JSONValue] = [
            "ref": .string("main"), "inputs": .object(["a": .string("1")]), "reason": .number(3), "n": .null,
        ]
        #expect(try APIRequestBody.string(body, "ref") == "main")
        #expect(try APIRequestBody.string(body, "n") == nil)
        #expect(try APIRequestBody.object(body, "inputs") == ["a": .string("1")])
        let error = Self.refusal { () throws(APIError) in _ = try APIRequestBody.string(body, "reason") }
        #expect(error?.status.code == 422)
        #expect(error?.details == ["field": .string("reason")])
        #expect(error?.message == "'reason' must be a string")
    }

    @Test func queryParametersSayWhatTheyTakeOnOneLine() throws {
        let values = ["limit": "9\n9", "ok": "true", "when": "2026-12-01", "state": "nope\u{2028}x", "empty": ""]
        let query = QueryReader { values[$0] }
        #expect(query.text("empty") == nil)
        #expect(try query.boolean("ok") == true)
        #expect(try query.date("when") != nil)
        #expect(try query.integer("missing", default: 50, range: 1...500) == 50)
        let limit = Self.refusal { () throws(APIError) in _ = try query.integer("limit", default: 50, range: 1...500) }
        #expect(limit?.message == "'limit' must be a whole number from 1 to 500, found '9\\n9'")
        enum State: String, CaseIterable { case queued, running }
        let state = Self.refusal { () throws(APIError) in _ = try query.oneOf("state", State.self) }
        #expect(state?.message == "'state' must be one of queued, running; found 'nope\\u{2028}x'")
        #expect(state?.status.code == 400)
    }

    @Test func cursorsRoundTripAndRefuseEdits() throws {
        let key = Data(repeating: 7, count: 32)
        let text = RunCursor(before: 42, query: "repo=a").encoded(key: key)
        #expect(try RunCursor.decode(text, query: "repo=a", key: key) == RunCursor(before: 42, query: "repo=a"))
        let edited = Self.refusal { () throws(APIError) in
            _ = try RunCursor.decode(text, query: "repo=a", key: Data(repeating: 8, count: 32))
        }
        #expect(edited?.message.contains("changed or made by another server") == true)
        let filters = Self.refusal { () throws(APIError) in _ = try RunCursor.decode(text, query: "repo=b", key: key) }
        #expect(filters?.message.contains("other filters") == true)
        let garbage = Self.refusal { () throws(APIError) in _ = try RunCursor.decode("a.b.c", query: "", key: key) }
        #expect(garbage?.details == ["parameter": .string("cursor")])
    }

    @Test func lastEventIDsAreTheServersOwn() throws {
        #expect(try LogPosition(lastEventID: nil) == .start)
        #expect(try LogPosition(lastEventID: "3.14") == LogPosition(chunk: 3, line: 14))
        for text in ["3", "3.x", "-1.2", "1.2.3", "3.\n4"] {
            let error = Self.refusal { () throws(APIError) in _ = try LogPosition(lastEventID: text) }
            #expect(error?.code == "invalid_last_event_id", "\(text)")
            #expect(error?.message.contains("\n") == false)
        }
    }
}
