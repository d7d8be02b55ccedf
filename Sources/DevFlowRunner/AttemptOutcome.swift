import DevFlowAgents
import DevFlowStore

/// How one attempt of a node ended.
public struct AttemptOutcome: Sendable, Equatable {
    /// The kind of ending: the attempt's state as the store keeps it.
    public typealias Kind = AttemptStatus

    /// The kind.
    public var kind: Kind
    /// The exit code, when it exited.
    public var exitCode: Int32?
    /// The terminating signal, if any.
    public var signal: Int32?
    /// An agent's error kind (`rate_limited`, `unavailable`…), for retry conditions.
    public var agentErrorKind: String?
    /// Outputs written to `$DEVFLOW_OUTPUT` (or returned by an agent).
    public var outputs: [String: String]
    /// A message for people when it did not succeed.
    public var message: String?
    /// A server's `Retry-After`, in seconds, if it gave one.
    public var retryAfter: Double?
    /// Findings an agent reported.
    public var findings: [Finding] = []
    /// Variables written to `$DEVFLOW_ENV`, for the nodes that need this one (directly or through others).
    public var environment: [String: String] = [:]
    /// The Markdown written to `$DEVFLOW_SUMMARY`, if any.
    public var summary: String?

    /// Creates an outcome.
    public init(
        kind: Kind, exitCode: Int32? = nil, signal: Int32? = nil, agentErrorKind: String? = nil,
        outputs: [String: String] = [:],
        message: String? = nil, retryAfter: Double? = nil
    ) {
        self.kind = kind
        self.exitCode = exitCode
        self.signal = signal
        self.agentErrorKind = agentErrorKind
        self.outputs = outputs
        self.message = message
        self.retryAfter = retryAfter
    }
}
