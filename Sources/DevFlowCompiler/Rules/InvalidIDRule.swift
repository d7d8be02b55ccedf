import DevFlowDiagnostics

/// an id does not match the allowed pattern
enum InvalidIDRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF006", name: "invalid-id", severity: .error,
        summary: "an id does not match the allowed pattern",
        explanation: """
            Step, agent, policy, breaker and input ids are used in expressions (`steps.<id>`) and in \
            node names, so they must match `[A-Za-z_][A-Za-z0-9_-]*` (at most 64 characters). Secret \
            names are upper case (`[A-Z_][A-Z0-9_]*`) and env names are `[A-Za-z_][A-Za-z0-9_]*`.

            ```yaml
            steps:
              9build: {run: make}     # DF006: step id '9build' must start with a letter or '_'
            ```
            """)
}
