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

/// The keywords of many rules, found in one pass over a line: for each position, the keywords
/// that start with the line's next two bytes are compared. A line is scanned once, whatever the
/// number of rules and keywords.
struct GuardianKeywordIndex: Sendable {
    /// Keywords by their first two bytes (`byte0 << 8 | byte1`), with the rule each belongs to.
    private let table: [UInt16: [(rule: Int, rest: [UInt8])]]

    /// Indexes each rule's lowercased keywords (every keyword has at least two bytes).
    init(_ keywordsByRule: [[[UInt8]]]) {
        precondition(keywordsByRule.count <= 64, "the rule mask has 64 bits")
        var table: [UInt16: [(rule: Int, rest: [UInt8])]] = [:]
        for (rule, keywords) in keywordsByRule.enumerated() {
            for keyword in keywords {
                precondition(keyword.count >= 2, "keywords need two bytes")
                table[UInt16(keyword[0]) << 8 | UInt16(keyword[1]), default: []].append(
                    (rule, Array(keyword.dropFirst(2))))
            }
        }
        self.table = table
    }

    /// A bit per rule (bit `i` for rule `i`) whose keywords occur in the lowercased line.
    func rules(in lower: [UInt8]) -> UInt64 {
        var mask: UInt64 = 0
        guard lower.count >= 2 else { return 0 }
        lower.withUnsafeBufferPointer { line in
            for i in 0..<(line.count - 1) {
                guard let candidates = table[UInt16(line[i]) << 8 | UInt16(line[i + 1])] else { continue }
                for candidate in candidates where mask & (1 << UInt64(candidate.rule)) == 0 {
                    let rest = candidate.rest
                    guard i + 2 + rest.count <= line.count else { continue }
                    var k = 0
                    while k < rest.count, line[i + 2 + k] == rest[k] { k += 1 }
                    if k == rest.count { mask |= 1 << UInt64(candidate.rule) }
                }
            }
        }
        return mask
    }
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
