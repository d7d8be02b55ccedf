import DevFlowDiagnostics

/// a step reads an output the producing step does not declare
enum UndeclaredOutputRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF016", name: "undeclared-output", severity: .error,
        summary: "a step reads an output the producing step does not declare",
        explanation: """
            A step that declares `outputs:` promises exactly those names. Reading any other name is \
            a typo or a stale reference, reported with a suggestion.

            ```yaml
            steps:
              version: {run: ./version.sh, outputs: [semver]}
              tag:
                needs: [version]
                run: git tag "${{ steps.version.outputs.semvar }}"   # DF016: did you mean 'semver'?
            ```
            """)
}
