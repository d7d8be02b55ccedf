/// The catalogue entry of a check: what `--explain` prints and SARIF's `rules[]` carries.
public struct RuleDescriptor: Hashable, Codable, Sendable {
    /// The stable id.
    public var id: DiagnosticID
    /// The severity it reports at unless configured otherwise.
    public var defaultSeverity: Severity
    /// One line, lower case: what the check finds.
    public var summary: String
    /// Markdown: why it matters, an example that triggers it and the fix.
    public var explanation: String

    /// Creates a descriptor.
    public init(code: String, name: String, severity: Severity, summary: String, explanation: String) {
        self.id = DiagnosticID(code: code, name: name)
        self.defaultSeverity = severity
        self.summary = summary
        self.explanation = explanation
    }

    /// Makes a diagnostic of this rule at its default severity.
    public func diagnostic(
        _ message: String, at span: SourceSpan, labels: [DiagnosticLabel] = [], notes: [String] = [],
        fixIts: [FixIt] = []
    ) -> Diagnostic {
        Diagnostic(
            id: id, severity: defaultSeverity, message: message, span: span, labels: labels, notes: notes,
            fixIts: fixIts)
    }
}
