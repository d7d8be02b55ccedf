import DevFlowDiagnostics

/// The checks the YAML front end itself reports.
public enum SyntaxRules {
    /// The file is not well-formed YAML, is not UTF-8, or holds more than one document.
    public static let yamlSyntax = RuleDescriptor(
        code: "DF001", name: "yaml-syntax", severity: .error,
        summary: "the file is not well-formed YAML",
        explanation: """
            The file could not be read as one YAML document in UTF-8. DevFlow reports the position \
            libyaml stopped at and the construct it was reading.

            ```yaml
            steps:
              build:
                run: "swift build      # the quote is never closed
            ```

            Fix the syntax at the reported position. A pipeline file holds exactly one document.
            """)

    /// A mapping repeats a key; every repetition is reported with the earlier definition.
    public static let duplicateKey = RuleDescriptor(
        code: "DF002", name: "duplicate-key", severity: .error,
        summary: "a mapping defines the same key twice",
        explanation: """
            YAML parsers disagree on duplicate keys: some keep the first, some the last, some fail. \
            DevFlow rejects every repetition and points at the earlier definition.

            ```yaml
            steps:
              build: {run: swift build}
              build: {run: swift build -c release}   # DF002
            ```

            Rename one of the entries or merge them.
            """)

    /// The input exceeds a documented limit (size, nesting depth, alias expansion).
    public static let inputLimit = RuleDescriptor(
        code: "DF030", name: "input-limit", severity: .error,
        summary: "the file exceeds a size, nesting or alias-expansion limit",
        explanation: """
            To keep linting fast and memory bounded on any input, DevFlow refuses files over \
            32 MiB, nesting deeper than 256 levels, and aliases that expand to more than 1,000,000 \
            nodes (the "billion laughs" pattern).

            ```yaml
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            # ... each level multiplies the size by ten
            ```

            Split the file, flatten the structure, or write the repeated content out.
            """)

    /// Every rule of this module.
    public static let all = [yamlSyntax, duplicateKey, inputLimit]
}
