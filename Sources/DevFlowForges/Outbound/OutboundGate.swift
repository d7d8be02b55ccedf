import DevFlowWebhooks

/// Where the server plugs its circuit breakers into outbound calls (commit statuses, notifications). The breaker
/// state lives in the server's store; the clients only ask and report.
///
/// `allow(name:)` is asked once before a call: false ends it at once as `circuit_open`, nothing sent.
/// `record(name:success:)` is told once after it: `success` is true when the remote answered (2xx, or a 4xx that
/// says the request itself is wrong), false when it stayed unavailable (5xx, 429, timeouts and connection errors
/// after every retry). A call cancelled by its caller is not recorded.
public protocol OutboundGate: Sendable {
    /// Whether a call to `name` may go out now.
    func allow(name: String) async -> Bool
    /// The outcome of a call to `name` that went out.
    func record(name: String, success: Bool) async
}

/// A gate that lets every call through and remembers nothing: for tools and tests without breakers.
public struct OpenGate: OutboundGate {
    /// Creates the gate.
    public init() {}

    /// Always true.
    public func allow(name: String) async -> Bool { true }

    /// Does nothing.
    public func record(name: String, success: Bool) async {}
}

/// One HTTP call as a client prepares it, before it is sent: what tests and logs can look at.
public struct OutboundRequest: Sendable, Equatable {
    /// `POST`.
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Headers in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "POST", url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Two requests are equal when method, URL, headers (in order) and body are.
    public static func == (lhs: OutboundRequest, rhs: OutboundRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// A JSON POST with `Content-Type` and `Accept`, then `extraHeaders`.
    static func json(url: String, body: String, extraHeaders: [(name: String, value: String)]) -> OutboundRequest {
        OutboundRequest(
            url: url,
            headers: [(name: "Content-Type", value: "application/json"), (name: "User-Agent", value: userAgent)]
                + extraHeaders,
            body: Array(body.utf8))
    }

    /// The `User-Agent` of every DevFlow call (GitHub refuses requests without one).
    public static let userAgent = "devflow-server"
}

/// An answer to a call that succeeded (2xx).
public struct OutboundResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The body.
    public var body: [UInt8]
    /// How many retries it took.
    public var retries: Int
}
