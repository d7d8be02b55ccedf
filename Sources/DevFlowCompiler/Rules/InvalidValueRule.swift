import DevFlowDiagnostics

/// a value is not one of the accepted values
enum InvalidValueRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF032", name: "invalid-value", severity: .error,
        summary: "a value is not one of the accepted values",
        explanation: """
            Closed sets are checked: trigger names, git hook names, pull-request activity types, input \
            types, jitter kinds, `when_open`, built-in agent names and retry conditions. The message \
            lists the accepted set and a ranked "did you mean".

            ```yaml
            on:
              hook: [pre-comit]     # DF032: did you mean 'pre-commit'?
            ```
            """)
}
