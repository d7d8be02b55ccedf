import DevFlowDiagnostics

/// an expression names an unknown context, property, input, matrix dimension or step
enum UnknownPropertyRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF012", name: "unknown-property", severity: .error,
        summary: "an expression names an unknown context, property, input, matrix dimension or step",
        explanation: """
            Contexts are `env`, `git`, `event`, `steps`, `matrix`, `inputs`, `secrets` and `run`, each \
            with a known set of properties. A misspelled name would evaluate to null at run time and \
            quietly change what runs, so it is an error with a ranked "did you mean".

            ```yaml
            if: ${{ git.brnach == 'main' }}    # DF012: did you mean 'branch'?
            ```
            """)
}
