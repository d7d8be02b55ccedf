import DevFlowDiagnostics

/// A matrix's dimensions, include or exclude entries are malformed.
enum InvalidMatrixRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF017", name: "invalid-matrix", severity: .error,
        summary: "a matrix has empty or repeated values, or include/exclude entries that match nothing",
        explanation: """
            Matrix legs are expanded at compile time. Each dimension needs at least one literal \
            value, listed once. An `exclude:` entry must name existing dimensions and values and \
            match at least one leg; an `include:` entry that matches no leg adds one, and must then \
            give every dimension. Values cannot be expressions.

            ```yaml
            matrix:
              os: [linux, macos]
              exclude:
                - {os: windows}     # DF017: 'windows' is not a value of 'os'
            ```
            """)
}
