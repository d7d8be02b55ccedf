import DevFlowDiagnostics

/// a mapping has a key the DSL does not define
enum UnknownKeyRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF003", name: "unknown-key", severity: .error,
        summary: "a mapping has a key the DSL does not define",
        explanation: """
            Every mapping in a pipeline has a closed set of keys. An unknown key is usually a typo, and \
            silently ignoring it would drop what the author meant, so it is an error with a ranked \
            "did you mean" and a fix-it when one candidate is clearly closest.

            ```yaml
            steps:
              build:
                run: swift build
                neds: [lint]      # DF003: did you mean 'needs'?
            ```
            """)
}
