import DevFlowDiagnostics

/// an expression uses a context that is not available where it is written
enum ContextUnavailableRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF014", name: "context-unavailable", severity: .error,
        summary: "an expression uses a context that is not available where it is written",
        explanation: """
            Each key sees only the contexts that exist when it is evaluated: `secrets` never in `if:` \
            (a condition must not depend on a secret), `matrix` only in matrix steps, `steps` only in \
            steps, status functions only in `if:`, and pipeline-level keys neither `steps` nor `matrix`.

            ```yaml
            steps:
              deploy:
                if: ${{ secrets.TOKEN != '' }}    # DF014: 'secrets' is not available in 'if'
            ```
            """)
}
