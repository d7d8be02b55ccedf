import Foundation

/// A risky pattern (not a secret): the matched text is the finding's region and the message is
/// fixed. `curl-pipe-shell`, `tls-verification-disabled`, `world-writable` and `eval-use` are
/// pattern rules.
struct PatternRule: GuardianRule {
    let info: SecurityGuardian.Rule
    let keywords: [[UInt8]]
    let examples: GuardianExamples
    let pattern: GuardianRegex
    let message: String

    /// Creates a rule.
    init(
        id: String, severity: Finding.Severity, summary: String, message: String, pattern: String,
        keywords: [String], examples: GuardianExamples, options: NSRegularExpression.Options = []
    ) {
        self.info = .init(id: id, severity: severity, isSecret: false, summary: summary)
        self.keywords = GuardianKeywords.bytes(keywords)
        self.examples = examples
        self.pattern = GuardianRegex(pattern, options)
        self.message = message
    }

    func matches(in line: GuardianLine) -> [GuardianMatch] {
        pattern.matches(in: line).compactMap { match in
            guard match.range.length > 0 else { return nil }
            return GuardianMatch(range: match.range, value: line.text(match.range), message: message)
        }
    }
}
