import DevFlowDiagnostics

/// a step reads a step that is not among its ancestors through needs
enum NonAncestorOutputRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF015", name: "output-from-non-ancestor", severity: .error,
        summary: "a step reads a step that is not among its ancestors through needs",
        explanation: """
            `steps.<id>` is only known once `<id>` has finished, which is guaranteed only when `<id>` is \
            an ancestor through `needs:`. Reading any other step races with it. Add the step to \
            `needs:` (a fix-it does when the step has a `needs:` list).

            ```yaml
            steps:
              version: {run: ./version.sh, outputs: [value]}
              publish:
                run: ./publish.sh "${{ steps.version.outputs.value }}"   # DF015: add 'version' to needs
            ```
            """)
}
