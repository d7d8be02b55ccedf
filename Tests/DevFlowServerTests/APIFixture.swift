import DevFlowCompiler
import DevFlowServer
import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A server with no repository work to do: a store seeded through its own protocols, tokens of each role, and
/// helpers to call `/api/v1` as a client would.
final class APIFixture: @unchecked Sendable {
    let directory: URL
    let context: ServerContext
    var store: any ServerStore { context.store }
    /// A token per role.
    private(set) var tokens: [APIRole: String] = [:]

    init(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        settings adjust: (inout ServerSettings) -> Void = { _ in }
    )
        throws
    {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.workers = 0
        configuration.repositories = [
            ServerConfiguration.Repository(
                name: "acme/app", forge: .github, cloneURL: "/nonexistent", webhookSecret: .env("ACME_SECRET"))
        ]
        configure(&configuration)
        var settings = try ServerSettings(
            configuration: configuration,
            databasePath: try TestStore.location(sqlitePath: directory.appendingPathComponent("devflow.sqlite").path),
            dataDirectory: directory.appendingPathComponent("data").path, environment: ["ACME_SECRET": "s"])
        settings.pollSeconds = 0.2
        settings.logPollSeconds = 0.05
        adjust(&settings)
        context = try ServerContext(settings: settings)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Creates a token of each role (`viewer`, `operator`, `admin`).
    func makeTokens() throws { tokens = try Self.makeTokens(in: store) }

    /// A token of each role, named `t-ROLE`, created in `store`.
    static func makeTokens(in store: any APIStore) throws -> [APIRole: String] {
        var tokens: [APIRole: String] = [:]
        for role in APIRole.allCases {
            tokens[role] = try TokenCommands.create(
                name: "t-\(role.rawValue)", role: role, expiresAt: nil, store: store
            ).0
        }
        return tokens
    }

    /// `Authorization: Bearer` for `role`'s token.
    func auth(_ role: APIRole) -> HTTPFields {
        [.authorization: "Bearer \(tokens[role] ?? "none")"]
    }

    /// Stores a finished run of `pipeline` with one node per entry of `nodes` (its status), each with one attempt.
    @discardableResult
    func seedRun(
        pipeline: String = "ci", repository: String? = "acme/app", branch: String = "main", kind: String = "push",
        status: RunStatus = .succeeded, queuedAt: Date = Date(), nodes: [String: String] = ["build": "succeeded"]
    ) throws -> Int64 {
        let run = try store.startRun(
            RunRecord(
                id: nil, pipeline: pipeline, file: ".devflow.yml", graphHash: "h", graphJSON: #"{"nodes":[]}"#,
                event: #"{"kind":"\#(kind)","branch":"\#(branch)"}"#, gitCommit: "abc123", gitBranch: branch,
                gitAuthorTime: nil, status: .running, queuedAt: queuedAt, startedAt: queuedAt, finishedAt: nil, pid: 1,
                host: "test", heartbeatAt: queuedAt, resumedFrom: nil, repository: repository,
                ref: "refs/heads/\(branch)"),
            nodes: nodes.keys.sorted())
        let id = try requireID(run.id)
        for (node, state) in nodes where state != "pending" && state != "running" {
            let attempt = AttemptRecord(
                id: nil, runId: id, nodeId: node, number: 1, status: AttemptStatus(rawValue: state) ?? .error,
                exitCode: state == "succeeded" ? 0 : 1,
                signal: nil, startedAt: queuedAt, finishedAt: queuedAt.addingTimeInterval(1), durationMs: 1000,
                retryReason: nil, error: nil)
            try store.finishNode(
                NodeRecord(
                    runId: id, nodeId: node, status: NodeStatus(rawValue: state) ?? .pending, reason: nil, attempts: 1,
                    startedAt: queuedAt,
                    finishedAt: queuedAt.addingTimeInterval(1), fingerprint: nil, allowedFailure: false),
                outputs: ["version": "1.2.3"], attempt: attempt)
        }
        if status.isFinished { try store.finishRun(run: id, status: status, at: queuedAt.addingTimeInterval(2)) }
        return id
    }

    /// The JSON object of a response body.
    static func json(_ response: TestResponse) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        guard let object = value as? [String: Any] else { throw FixtureError("not a JSON object: \(value)") }
        return object
    }

    /// The error code of an API error answer.
    static func errorCode(_ response: TestResponse) throws -> String? {
        ((try json(response))["error"] as? [String: Any])?["code"] as? String
    }
}

/// An id the store must have assigned.
func requireID(_ id: Int64?) throws -> Int64 {
    guard let id else { throw FixtureError("the store gave no id") }
    return id
}

/// A minimal HTTP/1.1 client on a blocking socket, for streams `TestClient` would wait on forever: it sends one
/// request and hands back what arrives, so a test can read part of a stream and hang up.
final class RawHTTPConnection: @unchecked Sendable {
    private let socket: Int32
    private(set) var received = ""

    init(port: Int, path: String, headers: [String: String]) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw FixtureError("socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FixtureError("connect() failed") }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
    }

    deinit { close(socket) }

    /// Reads until `predicate` holds for what has arrived (the head, then the body with its chunked framing
    /// removed), the peer closes, 30 s pass without a byte, or 90 s in all. The blocking reads run on a thread of
    /// their own: on the cooperative pool they would starve the server under test, which shares it.
    func read(until predicate: @escaping @Sendable (String) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                readBlocking(until: predicate)
                continuation.resume()
            }
            thread.start()
        }
    }

    private func readBlocking(until predicate: (String) -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(90)
        while !predicate(received), Date() < deadline {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { return }
            raw.append(contentsOf: buffer[0..<count])
            received = Self.decode(raw)
        }
    }

    private var raw: [UInt8] = []

    /// The head as sent, then the body: de-chunked when the head says `Transfer-Encoding: chunked`.
    static func decode(_ bytes: [UInt8]) -> String {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { return String(decoding: bytes, as: UTF8.self) }
        let head = String(decoding: bytes[..<end.upperBound], as: UTF8.self)
        guard head.lowercased().contains("transfer-encoding: chunked") else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var body: [UInt8] = []
        var index = end.upperBound
        while let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0,
                lineEnd.upperBound + size <= bytes.count
            else { break }
            body.append(contentsOf: bytes[lineEnd.upperBound..<(lineEnd.upperBound + size)])
            index = min(bytes.count, lineEnd.upperBound + size + 2)
        }
        return head + String(decoding: body, as: UTF8.self)
    }

    /// Hangs up.
    func hangUp() { shutdown(socket, Int32(SHUT_RDWR)) }
}

/// The `data:` JSON objects of the `line` events in an SSE text, with their ids.
func sseLines(_ text: String) -> [(id: String, line: String)] {
    var result: [(String, String)] = []
    // The body only: the head's CRLFs are single characters to Swift, which would hide the first event.
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? text
    for block in body.components(separatedBy: "\n\n") {
        var id: String?
        var data: String?
        var isEnd = false
        for line in block.split(separator: "\n") {
            if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            if line == "event: end" { isEnd = true }
        }
        guard !isEnd, let id, let data,
            let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any],
            let text = object["line"] as? String
        else { continue }
        result.append((id, text))
    }
    return result
}

/// How many events with an id an SSE text holds so far (cheap enough to call after every read).
func sseEventCount(_ text: String) -> Int {
    var count = 0
    var previous: UInt8 = 0
    var matched = 0
    let pattern = Array("id: ".utf8)
    for byte in text.utf8 {
        if matched == 0, byte == pattern[0], previous == UInt8(ascii: "\n") {
            matched = 1
        } else if matched > 0, byte == pattern[matched] {
            matched += 1
            if matched == pattern.count {
                count += 1
                matched = 0
            }
        } else {
            matched = 0
        }
        previous = byte
    }
    return count
}
