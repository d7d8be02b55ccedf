/// A resolved retry policy: how many attempts, how long to wait between them, and which failures to retry.
public struct RetryPolicy: Hashable, Sendable, Codable {
    /// How the wait between attempts grows.
    public struct Backoff: Hashable, Sendable, Codable {
        /// The first wait, in milliseconds.
        public var initialMilliseconds: Int
        /// The multiplier applied after each attempt.
        public var factor: Double
        /// The cap on any one wait, in milliseconds.
        public var maximumMilliseconds: Int
        /// `full` (uniform in [0, wait]), `equal` (half fixed, half random) or `none`.
        public var jitter: String

        /// Creates a backoff.
        public init(initialMilliseconds: Int, factor: Double, maximumMilliseconds: Int, jitter: String) {
            self.initialMilliseconds = initialMilliseconds
            self.factor = factor
            self.maximumMilliseconds = maximumMilliseconds
            self.jitter = jitter
        }

        /// 1s initial, factor 2, 1m cap, full jitter.
        public static let standard = Backoff(
            initialMilliseconds: 1000, factor: 2, maximumMilliseconds: 60_000, jitter: "full")
    }

    /// The policy's name, or nil for an inline policy.
    public var name: String?
    /// Attempts including the first (1 means no retry).
    public var attempts: Int
    /// The waits between attempts.
    public var backoff: Backoff
    /// Conditions that make a failure retryable: `failure`, `timeout`, `exit:N`, `signal:N`, `agent:KIND`.
    public var retryOn: [String]
    /// A deadline for all attempts together, in milliseconds.
    public var deadlineMilliseconds: Int?

    /// Creates a policy.
    public init(name: String?, attempts: Int, backoff: Backoff, retryOn: [String], deadlineMilliseconds: Int?) {
        self.name = name
        self.attempts = attempts
        self.backoff = backoff
        self.retryOn = retryOn
        self.deadlineMilliseconds = deadlineMilliseconds
    }

    /// The built-in policy `none`: one attempt.
    public static let none = RetryPolicy(
        name: "none", attempts: 1, backoff: .standard, retryOn: [], deadlineMilliseconds: nil)
}

/// A resolved circuit breaker, keyed by name and shared by every step that names it.
public struct CircuitBreakerPolicy: Hashable, Sendable, Codable {
    /// The breaker's name: its identity in the store.
    public var name: String
    /// Failure rate, in percent, at or above which the breaker opens.
    public var failureRatePercent: Int
    /// Calls in the window before the rate is judged.
    public var minimumCalls: Int
    /// A window of the last N calls, if set.
    public var windowCalls: Int?
    /// A window of the last N milliseconds, if set.
    public var windowMilliseconds: Int?
    /// How long the breaker stays open, in milliseconds.
    public var openForMilliseconds: Int
    /// Probe calls allowed while half-open.
    public var halfOpenCalls: Int
    /// `skip` or `fail` a step while the breaker is open.
    public var whenOpen: String

    /// Creates a breaker policy.
    public init(
        name: String, failureRatePercent: Int, minimumCalls: Int, windowCalls: Int?, windowMilliseconds: Int?,
        openForMilliseconds: Int, halfOpenCalls: Int, whenOpen: String
    ) {
        self.name = name
        self.failureRatePercent = failureRatePercent
        self.minimumCalls = minimumCalls
        self.windowCalls = windowCalls
        self.windowMilliseconds = windowMilliseconds
        self.openForMilliseconds = openForMilliseconds
        self.halfOpenCalls = halfOpenCalls
        self.whenOpen = whenOpen
    }
}
