import DevFlowDiagnostics

/// an expression reads a secret that is not declared in secrets:
enum UndeclaredSecretRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF023", name: "undeclared-secret", severity: .error,
        summary: "an expression reads a secret that is not declared in secrets:",
        explanation: """
            Secrets must be declared in `secrets:` so the runner knows which values to mask in every \
            log line and output. Reading an undeclared name is an error; the fix-it adds it.

            ```yaml
            secrets: [REGISTRY_TOKEN]
            steps:
              push:
                env: {TOKEN: "${{ secrets.REGISTRY_TOKN }}"}   # DF023: did you mean 'REGISTRY_TOKEN'?
            ```
            """)
}
