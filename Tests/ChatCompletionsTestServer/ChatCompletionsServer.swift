import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An answer the test server gives, after an optional delay.
public struct ScriptedAnswer: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Extra headers (`Retry-After`…).
    public var headers: [String: String]
    /// The body.
    public var body: String
    /// Seconds to wait before answering (scheduled on the event loop; nothing blocks).
    public var delay: Double

    /// Creates an answer.
    public init(status: Int, headers: [String: String] = [:], body: String = "", delay: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// A 200 chat completion whose message content is `content`, with `usage` (prompt, completion) when given.
    public static func completion(_ content: String, usage: (prompt: Int, completion: Int)? = (100, 20)) -> Self {
        var answer: [String: Any] = [
            "id": "chatcmpl-test", "object": "chat.completion", "model": "test-model",
            "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": content]]],
        ]
        if let usage {
            answer["usage"] = [
                "prompt_tokens": usage.prompt, "completion_tokens": usage.completion,
                "total_tokens": usage.prompt + usage.completion,
            ]
        }
        let data = try! JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
        return ScriptedAnswer(
            status: 200, headers: ["Content-Type": "application/json"], body: String(decoding: data, as: UTF8.self))
    }

    /// An OpenAI-style error answer.
    public static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> Self {
        var all = headers
        all["Content-Type"] = "application/json"
        let body = #"{"error":{"message":"\#(message)","type":"test"}}"#
        return ScriptedAnswer(status: status, headers: all, body: body)
    }
}

/// A request the server received.
public struct ReceivedRequest: Sendable {
    /// `POST`…
    public var method: String
    /// The path and query.
    public var uri: String
    /// Headers, names in lower case.
    public var headers: [String: String]
    /// The body.
    public var body: String

    /// The body as a JSON object.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// The `content` of every message of a chat-completions body.
    public var messages: [(role: String, content: String)] {
        ((json["messages"] as? [[String: Any]]) ?? []).map {
            (role: $0["role"] as? String ?? "", content: $0["content"] as? String ?? "")
        }
    }
}

/// An OpenAI-compatible chat-completions server on 127.0.0.1 with an ephemeral port, answering from a script:
/// each request takes the next scripted answer, then `fallback` when the script is used up. It records every
/// request.
public final class ChatCompletionsServer: @unchecked Sendable {
    private let lock = NSLock()
    private var script: [ScriptedAnswer]
    private var fallbackAnswer: ScriptedAnswer
    private var received: [ReceivedRequest] = []
    private var channel: (any Channel)?
    private var holdUntil = 0
    private var parked: [@Sendable () -> Void] = []

    /// The port it listens on.
    public private(set) var port = 0
    /// `http://127.0.0.1:PORT/v1`.
    public var endpoint: String { "http://127.0.0.1:\(port)/v1" }

    private init(script: [ScriptedAnswer], fallback: ScriptedAnswer) {
        self.script = script
        fallbackAnswer = fallback
    }

    /// Starts a server that plays `script`, then `fallback`.
    public static func start(
        _ script: [ScriptedAnswer], fallback: ScriptedAnswer = .error(500, "script exhausted")
    ) async throws -> ChatCompletionsServer {
        let server = ChatCompletionsServer(script: script, fallback: fallback)
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

    /// Replaces what is still to be played, and the fallback.
    public func play(_ answers: [ScriptedAnswer], fallback: ScriptedAnswer? = nil) {
        lock.withLock {
            script = answers
            if let fallback { fallbackAnswer = fallback }
        }
    }

    /// The requests received so far.
    public var requests: [ReceivedRequest] { lock.withLock { received } }

    /// Holds every answer until `count` requests have arrived, then sends them all (each after its delay): a test
    /// that finishes proves that `count` requests were in flight at once.
    public func hold(untilRequests count: Int) { lock.withLock { holdUntil = count } }

    /// Runs `send` now, or parks it until enough requests have arrived (then runs every parked one).
    func deliver(_ send: @escaping @Sendable () -> Void) {
        let ready: [@Sendable () -> Void] = lock.withLock {
            guard received.count >= holdUntil else {
                parked.append(send)
                return []
            }
            defer { parked.removeAll() }
            return parked + [send]
        }
        for send in ready { send() }
    }

    /// Stops listening.
    public func stop() async { try? await channel?.close() }

    func answer(_ request: ReceivedRequest) -> ScriptedAnswer {
        lock.withLock {
            received.append(request)
            return script.isEmpty ? fallbackAnswer : script.removeFirst()
        }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let server: ChatCompletionsServer
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(server: ChatCompletionsServer) { self.server = server }

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
                    ReceivedRequest(
                        method: head.method.rawValue, uri: head.uri, headers: headers,
                        body: String(buffer: body)))
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let loop = context.eventLoop
                server.deliver {
                    loop.execute {
                        let (handler, context) = bound.value
                        guard answer.delay > 0 else { return handler.write(answer, context: context) }
                        loop.scheduleTask(in: .milliseconds(Int64(answer.delay * 1000))) {
                            let (handler, context) = bound.value
                            handler.write(answer, context: context)
                        }
                    }
                }
            }
        }

        func write(_ answer: ScriptedAnswer, context: ChannelHandlerContext) {
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            for (name, value) in answer.headers { headers.add(name: name, value: value) }
            headers.add(name: "Content-Length", value: String(answer.body.utf8.count))
            let head = HTTPResponseHead(
                version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
