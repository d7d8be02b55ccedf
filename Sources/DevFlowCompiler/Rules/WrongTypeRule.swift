import DevFlowDiagnostics

/// a value has the wrong type for its key
enum WrongTypeRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF004", name: "wrong-type", severity: .error,
        summary: "a value has the wrong type for its key",
        explanation: """
            Scalars are typed by the key that holds them, never by YAML 1.1 guessing: booleans are \
            `true` or `false` only (`yes`, `on` and `off` are rejected with a suggestion), integers are \
            decimal digits, lists and mappings must be lists and mappings.

            ```yaml
            steps:
              deploy:
                run: ./deploy.sh
                continue_on_error: yes   # DF004: expected a boolean; did you mean 'true'?
            ```
            """)
}
