import AsyncHTTPClient
import DevFlowGraph
import Foundation
import NIOCore
import NIOHTTP1

/// A client of a DevFlow server's `/api/v1` (AsyncHTTPClient): the CLI's `--server URL --token TOKEN` mode.
public struct APIClient: Sendable {
    /// The server's base URL (`http://ci.example.com:8080`).
    public var server: String
    /// The API token.
    public var token: String

    /// Creates a client; a trailing slash of `server` is dropped.
    public init(server: String, token: String) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
    }

    /// What went wrong with a call, as the server (or the network) said it.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// The HTTP status, if there was an answer.
        public var status: Int?
        /// The message.
        public var message: String

        /// `message (HTTP status)`.
        public var description: String { status.map { "\(message) (HTTP \($0))" } ?? message }
    }

    func request(_ path: String, method: HTTPMethod = .GET, body: String? = nil, lastEventID: String? = nil)
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "User-Agent", value: "devflow-cli")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        return request
    }

    /// Sends a request and returns its body as text; a non-2xx answer throws the API's error message.
    func text(_ path: String, method: HTTPMethod = .GET, body: String? = nil) async throws(Failure) -> String {
        do {
            let response = try await HTTPClient.shared.execute(
                request(path, method: method, body: body), timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 512 << 20)
            let text = String(buffer: bytes)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Self.failure(status: Int(response.status.code), body: text)
            }
            return text
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(status: nil, message: "cannot reach \(server): \(error)")
        }
    }

    /// Sends a request and returns its JSON body.
    func json(_ path: String, method: HTTPMethod = .GET, body: String? = nil) async throws(Failure) -> JSONValue {
        let text = try await text(path, method: method, body: body)
        guard let value = JSONValue.parse(text) else {
            throw Failure(status: nil, message: "the server's answer is not JSON")
        }
        return value
    }

    static func failure(status: Int, body: String) -> Failure {
        let value = JSONValue.parse(body)
        if case .string(let message) = value?.objectMembers["error"]?.objectMembers["message"] {
            return Failure(status: status, message: message)
        }
        return Failure(status: status, message: body.isEmpty ? "the server answered \(status)" : body)
    }

    /// Follows a Server-Sent Events stream: calls `onEvent(event, id, data)` for each event, and reconnects with
    /// `Last-Event-ID` when the connection drops before `event: end` (a server restarting), up to `retries` times in a
    /// row. Returns the `end` event's data.
    func follow(
        _ path: String, retries: Int = 30,
        onEvent: (_ event: String, _ id: String?, _ data: String) throws -> Void
    ) async throws -> String {
        var lastID: String?
        var failures = 0
        while true {
            do {
                let response = try await HTTPClient.shared.execute(
                    request(path, lastEventID: lastID), timeout: .hours(24))
                guard response.status == .ok else {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    throw Self.failure(status: Int(response.status.code), body: String(buffer: body))
                }
                var parser = ServerSentEvents()
                for try await buffer in response.body {
                    failures = 0
                    for event in parser.feed(buffer.readableBytesView) {
                        if let id = event.id { lastID = id }
                        if event.name == "end" { return event.data }
                        try onEvent(event.name, event.id, event.data)
                    }
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                failures += 1
                if failures > retries { throw Failure(status: nil, message: "lost \(server): \(error)") }
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
    }
}

/// An incremental parser of `text/event-stream`: bytes in, complete events out.
struct ServerSentEvents {
    struct Event: Equatable {
        var name = "message"
        var id: String?
        var data = ""
    }

    private var pending: [UInt8] = []
    private var current = Event()
    private var hasData = false

    /// Feeds bytes; returns the events they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                pending.append(byte)
                continue
            }
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            let line = String(decoding: pending, as: UTF8.self)
            pending.removeAll(keepingCapacity: true)
            if line.isEmpty {
                if hasData || current.name != "message" { events.append(current) }
                current = Event()
                hasData = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = Substring(line)
                value = ""
            }
            switch field {
            case "event": current.name = String(value)
            case "id": current.id = String(value)
            case "data":
                current.data += hasData ? "\n" + value : String(value)
                hasData = true
            default: break
            }
        }
        return events
    }
}
