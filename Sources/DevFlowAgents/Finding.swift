/// One problem an agent found in the workspace, anchored to a region of a file.
///
/// Positions follow the SARIF 2.1.0 region convention so that findings render unchanged as
/// SARIF, GitHub annotations and markdown:
/// - `line` and `column` are 1-based; columns count characters (grapheme clusters), not bytes;
/// - `endLine` is the line of the last character of the region;
/// - `endColumn` is the column *after* the last character (exclusive), so a one-character region
///   has `endColumn == column + 1`.
///
/// A finding about a secret never carries the secret: its message shows at most the first four
/// characters followed by `…`.
public struct Finding: Codable, Sendable, Hashable {
    /// How much a finding matters; ordered `low < medium < high`, encoded as `"low"`, `"medium"`, `"high"`.
    public enum Severity: String, Codable, Sendable, Hashable, Comparable, CaseIterable {
        case low
        case medium
        case high

        private var rank: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .high: 2
            }
        }

        /// Orders severities from `low` to `high`.
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Stable kebab-case rule identifier, for example `aws-access-key` or `curl-pipe-shell`.
    public var rule: String
    /// How much the finding matters.
    public var severity: Severity
    /// Path of the file, as given by the caller (normally relative to the repository root).
    public var file: String
    /// 1-based line of the first character of the region.
    public var line: Int
    /// 1-based column (in characters) of the first character of the region.
    public var column: Int
    /// 1-based line of the last character of the region.
    public var endLine: Int
    /// 1-based column (in characters) just after the last character of the region (exclusive).
    public var endColumn: Int
    /// Human-readable explanation; secrets in it are masked.
    public var message: String
    /// A unified diff (`--- a/…`, `+++ b/…`, hunks) that fixes the problem, when the agent knows one.
    public var fix: String?

    /// Creates a finding.
    public init(
        rule: String, severity: Severity, file: String, line: Int, column: Int, endLine: Int, endColumn: Int,
        message: String, fix: String? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
        self.message = message
        self.fix = fix
    }
}
