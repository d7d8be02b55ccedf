import DevFlowDiagnostics

/// a policy value is outside its allowed range
enum PolicyRangeRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF025", name: "policy-out-of-range", severity: .error,
        summary: "a policy value is outside its allowed range",
        explanation: """
            Retry `attempts` is 1 to 100 (attempts, not retries: 1 means no retry); `backoff.factor` is \
            1 to 10; `backoff.max` is at least `backoff.initial`; a breaker's `failure_rate` is 1% to \
            100%, `minimum_calls`, `half_open_calls` and `window.calls` are at least 1, and \
            `minimum_calls` cannot exceed `window.calls`, or the breaker could never open.

            ```yaml
            policies:
              retry:
                flaky: {attempts: 0}     # DF025: attempts must be between 1 and 100
            ```
            """)
}
