import DevFlowWebhooks
import Foundation

/// Why an outbound call did not succeed. The message never contains a token or a webhook URL.
public struct OutboundFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The gate's breaker is open: nothing was sent.
        case circuitOpen = "circuit_open"
        /// 429 (or 503 with `Retry-After`) after the retries, or a `Retry-After` longer than the client waits.
        case rateLimited = "rate_limited"
        /// 5xx answers or connection errors after the retries.
        case unavailable
        /// No answer within the timeout, after the retries.
        case timeout
        /// 401 or 403: the token is wrong or lacks a permission.
        case unauthorized
        /// Another 4xx: the request is wrong (unknown repository or commit, bad field); not retried.
        case rejected
        /// The caller's task was cancelled.
        case cancelled
    }

    /// The kind.
    public var kind: Kind
    /// What happened, for people: the call, the HTTP status and the remote's own message.
    public var message: String
    /// The last HTTP status, when there was an answer.
    public var status: Int?
    /// The remote's `Retry-After` in seconds, when it gave one.
    public var retryAfter: Double?

    /// Creates a failure.
    public init(_ kind: Kind, _ message: String, status: Int? = nil, retryAfter: Double? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    /// Whether the remote counts as unavailable for a breaker (not for rejections or cancellations).
    public var isRemoteUnavailable: Bool {
        switch kind {
        case .rateLimited, .unavailable, .timeout: true
        case .circuitOpen, .unauthorized, .rejected, .cancelled: false
        }
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// The remote's own words in an error body: `message` (GitHub, GitLab, Discord), `error.message` (Bitbucket),
/// `error` (GitLab), or the text itself (Slack's `invalid_payload`, Teams), cut to 300 characters.
enum RemoteMessage {
    static func of(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let message = object["message"] as? String { return cut(message) }
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                return cut(message)
            }
            if let error = object["error"] as? String { return cut(error) }
            if let errors = object["errors"] as? [Any], let first = errors.first { return cut("\(first)") }
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : cut(text)
    }

    static func cut(_ text: String) -> String {
        text.count <= 300 ? text : String(text.prefix(300)) + "…"
    }
}
