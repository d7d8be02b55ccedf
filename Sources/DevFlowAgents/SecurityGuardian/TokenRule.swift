import Foundation

/// What a provider rule concludes about a value of its shape.
enum TokenVerdict: Sendable, Equatable {
    /// A secret: report it.
    case secret
    /// A secret whose provider checksum holds: report it, saying so.
    case verified(String)
    /// A placeholder, an example or random text of the right length: do not report it.
    case notSecret
}

/// A provider's token found by its documented shape (prefix, alphabet, length) and judged by a
/// validator (checksum, entropy, placeholders). Most secret families are one `TokenRule` each.
struct TokenRule: GuardianRule {
    let info: SecurityGuardian.Rule
    let keywords: [[UInt8]]
    let examples: GuardianExamples
    /// The shape of the token; the value is the first capture group that took part, else the match.
    let pattern: GuardianRegex
    /// Decides whether a value of the right shape is a secret.
    let validate: @Sendable (String) -> TokenVerdict

    /// Creates a rule; `kind` names the secret in messages ("GitHub token").
    init(
        id: String, kind: String, pattern: String, keywords: [String],
        examples: GuardianExamples, options: NSRegularExpression.Options = [],
        validate: @escaping @Sendable (String) -> TokenVerdict = { SecretValue.randomVerdict($0) }
    ) {
        self.info = .init(id: id, severity: .high, isSecret: true, summary: kind)
        self.keywords = GuardianKeywords.bytes(keywords)
        self.examples = examples
        self.pattern = GuardianRegex(pattern, options)
        self.validate = validate
    }

    func matches(in line: GuardianLine) -> [GuardianMatch] {
        var out: [GuardianMatch] = []
        for match in pattern.matches(in: line) {
            var range = match.range
            for group in stride(from: 1, to: match.numberOfRanges, by: 1)
            where match.range(at: group).location != NSNotFound {
                range = match.range(at: group)
                break
            }
            guard range.length > 0 else { continue }
            let value = line.text(range)
            let note: String
            switch validate(value) {
            case .notSecret: continue
            case .secret: note = ""
            case .verified(let how): note = " (\(how))"
            }
            out.append(
                GuardianMatch(
                    range: range, value: value,
                    message: "\(info.summary) `\(SecurityGuardian.mask(value))`\(note) in source; "
                        + "remove it, rotate it and load it from a secret store."))
        }
        return out
    }
}
