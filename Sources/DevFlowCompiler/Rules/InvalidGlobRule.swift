import DevFlowDiagnostics

/// a glob pattern is malformed
enum InvalidGlobRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF021", name: "invalid-glob", severity: .error,
        summary: "a glob pattern is malformed",
        explanation: """
            Branch, tag and path filters and `inputs:` use globs: `*` within a path segment, `**` \
            across segments, `?` one character, `[abc]` and `[!a-z]` classes, `\\` to escape, and a \
            leading `!` to exclude. An unclosed class or `***` matches nothing the author meant.

            ```yaml
            on:
              push: {paths: ["Sources/[ab/**"]}    # DF021: character class is never closed
            ```
            """)
}
