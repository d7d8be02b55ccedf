import DevFlowDiagnostics

/// a step names an agent, retry policy or circuit breaker that is not defined
enum UnknownReferenceRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF022", name: "unknown-reference", severity: .error,
        summary: "a step names an agent, retry policy or circuit breaker that is not defined",
        explanation: """
            `agent:`, `retry:`, `defaults.retry` and `circuit_breaker:` refer by name to entries of \
            `agents:`, `policies.retry` and `policies.circuit_breakers` (or to a built-in agent, or \
            the built-in retry policy `none`). The message ranks the closest defined names.

            ```yaml
            steps:
              review: {agent: reviewr}     # DF022: unknown agent 'reviewr'; did you mean 'reviewer'?
            ```
            """)
}
