import DevFlowDiagnostics

/// a duration is not of the form 90s, 10m or 1h30m
enum InvalidDurationRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF019", name: "invalid-duration", severity: .error,
        summary: "a duration is not of the form 90s, 10m or 1h30m",
        explanation: """
            Durations are one or more `<integer><unit>` parts with units `h`, `m`, `s` and `ms`, each \
            unit at most once and from the largest down, and the total above zero.

            ```yaml
            defaults:
              timeout: 10 minutes    # DF019: did you mean '10m'?
            ```
            """)
}
