import DevFlowDiagnostics

/// an expression cannot be parsed
enum ExpressionSyntaxRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF010", name: "expression-syntax", severity: .error,
        summary: "an expression cannot be parsed",
        explanation: """
            Expressions inside `${{ }}` (and `if:` values) are parsed at compile time. Strings use \
            single quotes (`'main'`), equality is `==`, logic is `&&`, `||` and `!`, and every \
            `${{` needs its closing `}}`.

            ```yaml
            if: ${{ git.branch = 'main' }}    # DF010: unexpected '='; did you mean '=='?
            ```
            """)
}
