import Foundation

/// One line the security guardian inspects, with what its rules need to judge it.
struct GuardianLine {
    /// The line, without its terminator.
    let text: String
    /// The same text as an `NSString`, for the regular expressions' UTF-16 ranges.
    let ns: NSString
    /// The line's UTF-8 bytes with ASCII letters lowercased, for the keyword prefilter.
    let lower: [UInt8]
    /// The line just before, when the caller passed it (consecutive line numbers), else `nil`.
    let previous: String?
    /// The line just after, when the caller passed it, else `nil`.
    let next: String?

    /// Every UTF-16 unit of the line.
    var whole: NSRange { NSRange(location: 0, length: ns.length) }

    /// The text of a UTF-16 range of the line.
    func text(_ range: NSRange) -> String { ns.substring(with: range) }

    /// Whether the lowercased line contains one of `keywords`.
    func contains(anyOf keywords: [[UInt8]]) -> Bool { GuardianKeywords.containsAny(lower, keywords) }
}

/// What a rule reports: the region of the value on the line, the value (never shown), the words.
struct GuardianMatch {
    /// UTF-16 range of the secret value (or of the risky text) on the line.
    let range: NSRange
    /// The matched value; used for the allowlist and the fingerprint, never shown unmasked.
    let value: String
    /// The message of the finding (secret masked).
    let message: String
}

/// Examples that document a rule and are its tests: every `triggering` line must produce a
/// finding of the rule, and no `nonTriggering` line may (for secret rules: no secret finding of
/// any rule, so a placeholder is not picked up by `generic-secret` instead).
///
/// Secret-shaped values are written as templates so that no token-shaped string appears in the
/// source: `⟨a36⟩` is 36 random letters and digits; `⟨l20⟩` lowercase letters and digits; `⟨U16⟩`
/// the base32 alphabet `A-Z2-7`; `⟨h40⟩` lowercase hex; `⟨d12⟩` digits; `⟨b40⟩` base64; `⟨u43⟩`
/// base64url; `⟨ghp⟩` the 36 characters after a GitHub prefix with a valid CRC32 checksum;
/// `⟨jwt64⟩` the base64 of a JWT.
/// ``GuardianExamples/expand(_:seed:)`` draws them from a fixed seed.
struct GuardianExamples: Sendable {
    /// Lines that must produce a finding of the rule.
    let triggering: [String]
    /// Lines that must not.
    let nonTriggering: [String]
}

/// A check of the security guardian: one per file under `SecurityGuardian/`, registered in
/// ``GuardianCatalogue``. Rules are values built once and shared between threads.
protocol GuardianRule: Sendable {
    /// The rule's id, severity, kind and summary.
    var info: SecurityGuardian.Rule { get }
    /// Lowercased byte strings; the rule runs only on lines that contain one of them.
    var keywords: [[UInt8]] { get }
    /// The rule's documented examples.
    var examples: GuardianExamples { get }
    /// The rule's matches on one line.
    func matches(in line: GuardianLine) -> [GuardianMatch]
}

/// Keyword prefilter helpers.
enum GuardianKeywords {
    /// Lowercased UTF-8 bytes of each word.
    static func bytes(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }

    /// Whether `haystack` contains one of `needles`.
    static func containsAny(_ haystack: [UInt8], _ needles: [[UInt8]]) -> Bool {
        haystack.withUnsafeBufferPointer { hay in
            for needle in needles where find(hay, needle) { return true }
            return false
        }
    }

    /// Naive search keyed on the first byte (needles are short and lines are scanned once per rule).
    private static func find(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let m = needle.count
        guard m > 0, hay.count >= m else { return m == 0 }
        let first = needle[0]
        var i = 0
        let last = hay.count - m
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < m, hay[i + k] == needle[k] { k += 1 }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }
}

/// `NSRegularExpression` is immutable once built and safe to share between threads.
struct GuardianRegex: @unchecked Sendable {
    /// The compiled expression.
    let regex: NSRegularExpression

    /// Compiles a constant pattern; a typo is a programming error that the rule tests catch.
    init(_ pattern: String, _ options: NSRegularExpression.Options = []) {
        do {
            regex = try NSRegularExpression(pattern: pattern, options: options)
        } catch {
            preconditionFailure("invalid security-guardian pattern \(pattern): \(error)")
        }
    }

    /// Wraps an expression compiled elsewhere (allowlist entries).
    init(compiled: NSRegularExpression) { regex = compiled }

    /// All matches in a line.
    func matches(in line: GuardianLine) -> [NSTextCheckingResult] {
        regex.matches(in: line.text, range: line.whole)
    }

    /// Whether `text` contains a match.
    func test(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
    }
}
