import DevFlowDiagnostics

/// a required key is missing
enum MissingKeyRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF005", name: "missing-required-key", severity: .error,
        summary: "a required key is missing",
        explanation: """
            Some keys must be present: `version`, `name`, `on` and `steps` at the top; `attempts` in a \
            retry policy; `failure_rate` and `open_for` in a circuit breaker; `type` in a manual input; \
            `group` in `concurrency`.

            ```yaml
            version: 1
            name: ci
            steps: {build: {run: make}}   # DF005: missing required key 'on'
            ```
            """)
}
