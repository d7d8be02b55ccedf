import DevFlowGraph
import Foundation

@testable import DevFlowLanguageServer

/// Drives a `LanguageServer` in process as an editor would, with a clock the test moves.
final class TestClient {
    let server: LanguageServer
    var now: UInt64 = 1_000
    var nextID = 1
    /// Notifications the server sent (publishDiagnostics, showMessage), oldest first.
    var notifications: [JSONValue] = []

    init(
        root: String? = nil, encodings: [String] = ["utf-16"], debounce: Int = 200, shellcheck: String? = nil,
        initializationOptions: [String: JSONValue] = [:]
    ) {
        server = LanguageServer(shellcheck: shellcheck)
        var params: [String: JSONValue] = [
            "processId": .null,
            "capabilities": .object([
                "general": .object(["positionEncodings": .array(encodings.map(JSONValue.string))])
            ]),
            "initializationOptions": .object(
                initializationOptions.merging(["debounceMilliseconds": .int(debounce)]) { mine, _ in mine }),
        ]
        if let root { params["rootUri"] = .string("file://\(root)") }
        _ = request("initialize", .object(params))
        notify("initialized", .object([:]))
    }

    /// Sends raw bytes as one message body.
    func sendRaw(_ body: String) -> [JSONValue] { server.handle(Array(body.utf8), now: now) }

    /// Sends a request and returns its response.
    @discardableResult
    func request(_ method: String, _ params: JSONValue) -> JSONValue {
        let id = nextID
        nextID += 1
        let message = JSONValue.object([
            "jsonrpc": .string("2.0"), "id": .int(id), "method": .string(method), "params": params,
        ])
        var response: JSONValue = .null
        for out in server.handle(Array(message.compactJSON.utf8), now: now) {
            if out["id"] == .int(id) { response = out } else { notifications.append(out) }
        }
        return response
    }

    /// Sends a notification.
    func notify(_ method: String, _ params: JSONValue) {
        let message = JSONValue.object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params])
        notifications += server.handle(Array(message.compactJSON.utf8), now: now)
    }

    /// Moves the clock and collects what became due.
    func advance(_ milliseconds: UInt64) {
        now += milliseconds
        notifications += server.due(now: now)
    }

    /// Opens a document.
    func open(_ uri: String, _ text: String, version: Int = 1) {
        notify(
            "textDocument/didOpen",
            .object([
                "textDocument": .object([
                    "uri": .string(uri), "languageId": .string("yaml"), "version": .int(version),
                    "text": .string(text),
                ])
            ]))
    }

    /// The diagnostics published last for `uri`, if any.
    func published(_ uri: String) -> JSONValue? {
        notifications.last {
            $0["method"]?.text == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.text == uri
        }?["params"]
    }

    /// A position request (`completion`, `hover`, `definition`) at the first occurrence of `marker` in `text`,
    /// `offset` bytes after its start.
    func at(_ method: String, _ uri: String, line: Int, character: Int) -> JSONValue {
        request(
            method,
            .object([
                "textDocument": .object(["uri": .string(uri)]),
                "position": .object(["line": .int(line), "character": .int(character)]),
            ]))["result"] ?? .null
    }

    /// The labels of a completion at a position.
    func completions(_ uri: String, line: Int, character: Int) -> [String] {
        at("textDocument/completion", uri, line: line, character: character)["items"]?.items?.compactMap {
            $0["label"]?.text
        } ?? []
    }
}

/// The zero-based line and UTF-16 character just after the first `marker` (removed) in `text`.
func cursor(in text: String, marker: String = "|") -> (text: String, line: Int, character: Int) {
    let range = text.range(of: marker)!
    let before = text[..<range.lowerBound]
    let line = before.filter { $0 == "\n" }.count
    let lineStart = before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex
    let character = before[lineStart...].utf16.count
    return (text.replacingCharacters(in: range, with: ""), line, character)
}
