/// How serious a diagnostic is.
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    /// Informational; never fails a run by default.
    case info
    /// Probably a mistake; fails only when the failing severity is `warning`.
    case warning
    /// The pipeline is invalid or dangerous.
    case error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    /// Orders severities from `info` to `error`.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The stable identity of a check: a `DF` code and a kebab-case name, both accepted by `--explain`.
public struct DiagnosticID: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The numeric code, such as `DF009`.
    public var code: String
    /// The kebab-case name, such as `dependency-cycle`.
    public var name: String

    /// Creates an id.
    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }

    /// `DF009 dependency-cycle`.
    public var description: String { "\(code) \(name)" }
}

/// A secondary span with a short label ("defined here", "needs 'b'").
public struct DiagnosticLabel: Hashable, Codable, Sendable {
    /// Where the label points.
    public var span: SourceSpan
    /// What it says.
    public var message: String

    /// Creates a label.
    public init(_ message: String, at span: SourceSpan) {
        self.span = span
        self.message = message
    }
}

/// One replacement of a span's text.
public struct TextEdit: Hashable, Codable, Sendable {
    /// The text to replace (empty for an insertion).
    public var span: SourceSpan
    /// The new text.
    public var replacement: String

    /// Creates an edit.
    public init(span: SourceSpan, replacement: String) {
        self.span = span
        self.replacement = replacement
    }
}

/// A mechanical fix for a diagnostic.
public struct FixIt: Hashable, Codable, Sendable {
    /// What the fix does, in the imperative ("replace with 'needs'").
    public var message: String
    /// The edits, non-overlapping, in one file.
    public var edits: [TextEdit]
    /// Whether the fix only says what the file already meant (quotes around a boolean, `yes` for `true`, `10
    /// minutes` for `10m`, a template expression moved into an environment variable), so `devflow-lint --fix`
    /// applies it. A guess (the nearest known name, a new dependency) is not safe: it is applied only with
    /// `--unsafe-fixes`.
    public var isSafe: Bool

    /// Creates a fix-it.
    public init(_ message: String, edits: [TextEdit], safe: Bool = true) {
        self.message = message
        self.edits = edits
        self.isSafe = safe
    }

    enum CodingKeys: String, CodingKey { case message, edits, isSafe }

    /// Decodes a fix-it; one stored before `isSafe` existed reads as safe.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try container.decode(String.self, forKey: .message)
        edits = try container.decode([TextEdit].self, forKey: .edits)
        isSafe = try container.decodeIfPresent(Bool.self, forKey: .isSafe) ?? true
    }
}

/// A finding about a source file: data with a stable id, spans, notes and fix-its.
public struct Diagnostic: Hashable, Codable, Sendable {
    /// The check that produced it.
    public var id: DiagnosticID
    /// Its severity (after configuration).
    public var severity: Severity
    /// Lower case, no trailing period, the offending value quoted.
    public var message: String
    /// The exact text at fault.
    public var span: SourceSpan
    /// Secondary spans that tell the story.
    public var labels: [DiagnosticLabel]
    /// Extra lines of explanation or help.
    public var notes: [String]
    /// Safe fixes.
    public var fixIts: [FixIt]

    /// Creates a diagnostic.
    public init(
        id: DiagnosticID, severity: Severity, message: String, span: SourceSpan,
        labels: [DiagnosticLabel] = [], notes: [String] = [], fixIts: [FixIt] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.span = span
        self.labels = labels
        self.notes = notes
        self.fixIts = fixIts
    }

    /// Orders diagnostics by file, position, then id, so output is stable.
    public static func sortedForOutput(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { a, b in
            if a.span.file != b.span.file { return a.span.file < b.span.file }
            if a.span.start.offset != b.span.start.offset { return a.span.start.offset < b.span.start.offset }
            if a.id.code != b.id.code { return a.id.code < b.id.code }
            return a.message < b.message
        }
    }
}
