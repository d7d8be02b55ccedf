import DevFlowDiagnostics

/// an expression uses a value with the wrong type or a function with the wrong arguments
enum ExpressionTypeRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF011", name: "expression-type", severity: .error,
        summary: "an expression uses a value with the wrong type or a function with the wrong arguments",
        explanation: """
            The type checker knows the type of every context property and function: a property of \
            a string does not exist, `<` compares numbers or strings, and each function takes a \
            fixed number of arguments.

            ```yaml
            if: ${{ starts_with(git.branch) }}     # DF011: starts_with takes 2 arguments, found 1
            ```
            """)
}
