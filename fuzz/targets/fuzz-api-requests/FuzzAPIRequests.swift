import DevFlowAPIRequests
import DevFlowFuzzSupport
import DevFlowGraph
import Foundation

/// Bytes → the API's request readers, each on the same input: a body (`APIRequestBody`, with and without a JSON
/// content type, then every field the endpoints read), a query string (`QueryReader`, percent-decoded as the server
/// does, every kind of parameter), a pagination cursor (`RunCursor`) and a `Last-Event-ID` (`LogPosition`).
/// Invariants: the same answer twice; every refusal is a 4xx with a snake_case code and a message on one line; what
/// is accepted round-trips (a body through DevFlow's JSON writer, a cursor and an event id through their encoders).
func fuzzAPIRequests(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    for type in ["application/json", "text/plain", nil] as [String?] {
        let first = read { () throws(APIError) in try APIRequestBody.object(bytes, contentType: type, allowEmpty: true)
        }
        if first
            != read({ () throws(APIError) in try APIRequestBody.object(bytes, contentType: type, allowEmpty: true) })
        {
            Invariants.fail("body: not deterministic")
        }
        guard case .success(let object) = first else { continue }
        let written = JSONValue.object(object).compactJSON
        guard let again = try? JSONDecoder().decode(JSONValue.self, from: Data(written.utf8)),
            again == .object(object)
        else { Invariants.fail("body: an accepted body does not round-trip through the JSON writer") }
        for name in ["ref", "inputs", "reason", "mode", "node", "name", "role", "expires"] {
            _ = read { () throws(APIError) in try APIRequestBody.string(object, name) }
            _ = read { () throws(APIError) in try APIRequestBody.object(object, name) }
        }
    }
    query(text)
    cursor(text)
    let event = read { () throws(APIError) in try LogPosition(lastEventID: text) }
    if case .success(let position) = event, !text.isEmpty {
        let id = "\(position.chunk).\(position.line)"
        guard case .success(position) = read({ () throws(APIError) in try LogPosition(lastEventID: id) }) else {
            Invariants.fail("Last-Event-ID: \(id) does not read back")
        }
    }
}

/// The statuses of a run, as `?status=` takes them.
enum Status: String, CaseIterable { case queued, running, succeeded, failed, cancelled }

func query(_ text: String) {
    var parameters: [String: String] = [:]
    for pair in text.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        let raw = parts.count > 1 ? String(parts[1]) : ""
        if parameters[name] == nil { parameters[name] = raw.removingPercentEncoding ?? raw }
    }
    let reader = QueryReader { parameters[$0] }
    // The names are the server's own (a client chooses only the values).
    for name in ["limit", "since", "until", "status", "deployment", "repo", "pipeline", "cursor"] {
        _ = reader.text(name)
        _ = read { () throws(APIError) in try reader.integer(name, default: 50, range: 1...500) }
        _ = read { () throws(APIError) in try reader.boolean(name) }
        _ = read { () throws(APIError) in try reader.date(name) }
        _ = read { () throws(APIError) in try reader.oneOf(name, Status.self) }
    }
}

let key = Data((0..<32).map { UInt8($0) })

func cursor(_ text: String) {
    let decoded = read { () throws(APIError) in try RunCursor.decode(text, query: "repo=demo", key: key) }
    if case .success(let cursor) = decoded {
        guard
            case .success(cursor) = read({ () throws(APIError) in
                try RunCursor.decode(cursor.encoded(key: key), query: "repo=demo", key: key)
            })
        else { Invariants.fail("cursor: a decoded cursor does not survive its own encoding") }
    }
    let made = RunCursor(before: Int64(text.utf8.count) - 3, query: text)
    guard
        case .success(made) = read({ () throws(APIError) in
            try RunCursor.decode(made.encoded(key: key), query: text, key: key)
        })
    else { Invariants.fail("cursor: a cursor for the query '\(text.prefix(80))' does not decode") }
}

/// `body`'s value or its refusal, after checking the refusal's shape.
func read<T>(_ body: () throws(APIError) -> T) -> Result<T, APIError> {
    do throws(APIError) { return .success(try body()) } catch {
        guard (400..<500).contains(error.status.code) else { Invariants.fail("\(error.code): status \(error.status)") }
        guard !error.code.isEmpty, error.code.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) }) else {
            Invariants.fail("a refusal's code is '\(error.code)'")
        }
        if error.message.isEmpty || error.message.contains(where: \.isNewline) {
            Invariants.fail("\(error.code): the message is empty or spans lines: \(error.message.prefix(300))")
        }
        return .failure(error)
    }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzAPIRequests(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_api_requests_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzAPIRequests) }
    }
#endif
