import DevFlowDiagnostics

/// keys that exclude each other are used together, or neither is given
enum ConflictingKeysRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF029", name: "conflicting-keys", severity: .error,
        summary: "keys that exclude each other are used together, or neither is given",
        explanation: """
            A step has exactly one of `run:` (a hook step) or `agent:` (an agent step). An agent has \
            exactly one of `uses:` or `command:`. A breaker window is `{calls: N}` or `{duration: D}`. \
            Keys that belong to one kind only (`shell:` on hook steps, `with:` on agent steps) are \
            rejected on the other.

            ```yaml
            steps:
              review:
                run: ./review.sh
                agent: guardian     # DF029: a step has either 'run' or 'agent', not both
            ```
            """)
}
