import DevFlowDiagnostics

/// an expression calls a function that does not exist
enum UnknownFunctionRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF013", name: "unknown-function", severity: .error,
        summary: "an expression calls a function that does not exist",
        explanation: """
            Functions are `contains`, `starts_with`, `ends_with`, `format`, `join`, `to_json`, \
            `from_json`, `hash_files`, and in `if:` the status functions `success`, `failure`, \
            `always` and `cancelled`. Names use snake_case.

            ```yaml
            if: ${{ startsWith(git.ref, 'refs/tags/') }}   # DF013: did you mean 'starts_with'?
            ```
            """)
}
