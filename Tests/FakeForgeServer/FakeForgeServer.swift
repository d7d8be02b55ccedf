import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An answer the fake forge gives.
public struct FakeAnswer: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Extra headers (`Retry-After`…).
    public var headers: [String: String]
    /// The body.
    public var body: String

    /// Creates an answer.
    public init(status: Int, headers: [String: String] = [:], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `201 Created` with a JSON body, as the status APIs answer.
    public static let created = FakeAnswer(status: 201, headers: ["Content-Type": "application/json"], body: "{}")

    /// A JSON error answer `{"message": …}`.
    public static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> FakeAnswer {
        var all = headers
        all["Content-Type"] = "application/json"
        let body = String(decoding: try! JSONSerialization.data(withJSONObject: ["message": message]), as: UTF8.self)
        return FakeAnswer(status: status, headers: all, body: body)
    }
}

/// A request the fake forge received.
public struct RecordedRequest: Sendable, Equatable {
    /// `POST`…
    public var method: String
    /// The path and query.
    public var path: String
    /// Headers, names in lower case.
    public var headers: [String: String]
    /// The body.
    public var body: String

    /// The body parsed as JSON (nil when it is not JSON).
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
}

/// A forge (or chat webhook) on 127.0.0.1 with an ephemeral port: each request takes the next scripted answer, then
/// `fallback` when the script is used up; every request is recorded with its method, path, headers and body.
public final class FakeForgeServer: @unchecked Sendable {
    private let lock = NSLock()
    private var script: [FakeAnswer]
    private var fallbackAnswer: FakeAnswer
    private var received: [RecordedRequest] = []
    private var channel: (any Channel)?

    /// The port it listens on.
    public private(set) var port = 0
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(script: [FakeAnswer], fallback: FakeAnswer) {
        self.script = script
        fallbackAnswer = fallback
    }

    /// Starts a server that plays `script`, then `fallback`.
    public static func start(_ script: [FakeAnswer] = [], fallback: FakeAnswer = .created) async throws
        -> FakeForgeServer
    {
        let server = FakeForgeServer(script: script, fallback: fallback)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server.channel = channel
        server.port = channel.localAddress?.port ?? 0
        return server
    }

    /// The requests received so far, in order.
    public var requests: [RecordedRequest] { lock.withLock { received } }

    /// Stops listening.
    public func stop() async { try? await channel?.close() }

    func answer(_ request: RecordedRequest) -> FakeAnswer {
        lock.withLock {
            received.append(request)
            return script.isEmpty ? fallbackAnswer : script.removeFirst()
        }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: FakeForgeServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: FakeForgeServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let value):
                head = value
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let answer = server.answer(
                    RecordedRequest(
                        method: head.method.rawValue, path: head.uri, headers: headers, body: String(buffer: body)))
                var responseHeaders = HTTPHeaders()
                for (name, value) in answer.headers { responseHeaders.add(name: name, value: value) }
                responseHeaders.add(name: "Content-Length", value: String(answer.body.utf8.count))
                let response = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: responseHeaders)
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
