/// Why a call to the model did not give a usable answer. `kind` is the agent error kind that retry conditions
/// (`retry_on: [agent:rate_limited]`) and the step's record see.
public struct LLMFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The agent error kinds of the llm agent.
    public enum Kind: String, Sendable, Equatable {
        /// 429 Too Many Requests after the client's own retries; `retryAfter` carries the server's wish.
        case rateLimited = "rate_limited"
        /// A 5xx answer or a connection that could not be made, after the client's own retries.
        case unavailable
        /// A request took longer than its `timeout`.
        case timeout
        /// The server's answer, or the model's content, is not what the protocol or the findings schema asks for.
        case malformedResponse = "malformed_response"
        /// A token budget (`max_tokens_per_step`, `max_tokens_per_run`) is spent.
        case budgetExceeded = "budget_exceeded"
        /// The server refused the key (401, 403).
        case unauthorized
        /// The server refused the request itself (another 4xx), or the step's inputs are wrong.
        case invalidRequest = "invalid_request"
        /// The run was cancelled while the request was in flight.
        case cancelled
    }

    /// The kind.
    public var kind: Kind
    /// What happened, for people; never contains the API key.
    public var message: String
    /// The server's `Retry-After`, in seconds, when it gave one.
    public var retryAfter: Double?

    /// Creates a failure.
    public init(_ kind: Kind, _ message: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}
