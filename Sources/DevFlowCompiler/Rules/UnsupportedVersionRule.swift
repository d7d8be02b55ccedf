import DevFlowDiagnostics

/// the pipeline declares a DSL version this compiler does not know
enum UnsupportedVersionRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF031", name: "unsupported-version", severity: .error,
        summary: "the pipeline declares a DSL version this compiler does not know",
        explanation: """
            `version: 1` is the only version of the DSL. A different number means the file was written \
            for another tool or a future DevFlow; the compiler does not guess what it means.

            ```yaml
            version: 2      # DF031
            ```
            """)
}
