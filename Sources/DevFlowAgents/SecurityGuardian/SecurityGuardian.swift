import Foundation

/// The detection core of the `security-guardian` built-in agent: secrets and risky patterns in
/// source lines. Pure computation — no process, no file system, no network.
///
/// The caller passes the lines to inspect (only the changed lines for `scope: changes`, or every
/// line for `scope: all`); each finding is anchored to its line and to the columns of the match.
/// The rules are listed in ``GuardianCatalogue``, one file each under `SecurityGuardian/`, and
/// each rule's doc comment says what it reports and what it leaves alone. A rule may look at the
/// line before and after a line (an XML element's value on its own line, a private key's body)
/// when the caller passed them.
///
/// Secret findings never contain the secret: the message shows at most its first four
/// characters followed by `…`, and the region covers the secret's value so that renderers can
/// point at it without quoting it.
///
/// Suppression:
/// - `allowlist`: each entry is tried against the *matched value* (the secret, or the matched
///   text of a risky pattern) both as a literal substring and, when it compiles, as a regular
///   expression (ICU syntax, unanchored search).
/// - `baseline`: fingerprints (see ``fingerprint(_:secret:)``) of accepted findings. A
///   fingerprint depends on the rule, the file and the value — not on the line — so it
///   survives edits elsewhere in the file, and a baseline file never holds the secret itself.
public struct SecurityGuardian: Sendable {
    /// A rule the guardian knows, for `devflow agents list` and documentation.
    public struct Rule: Sendable, Hashable {
        /// Stable kebab-case identifier, the `rule` of the findings it produces.
        public let id: String
        /// Severity of every finding of this rule.
        public let severity: Finding.Severity
        /// Whether the rule detects secrets (whose values are masked) or a risky pattern.
        public let isSecret: Bool
        /// One-line description.
        public let summary: String
    }

    /// A finding with the fingerprint a baseline file would list to accept it.
    public struct FingerprintedFinding: Sendable, Hashable {
        /// The finding (secret masked).
        public let finding: Finding
        /// ``SecurityGuardian/fingerprint(_:secret:)`` of the finding and its value.
        public let fingerprint: String
    }

    /// Every rule, in reporting order.
    public static let rules: [Rule] = GuardianCatalogue.all.map(\.info)

    /// Literal allowlist entries (all entries are kept as literals).
    private let allowLiterals: [String]
    /// Allowlist entries that compile as regular expressions.
    private let allowPatterns: [GuardianRegex]
    /// Fingerprints of accepted findings.
    public let baseline: Set<String>

    /// Creates a guardian.
    /// - Parameters:
    ///   - allowlist: regular expressions or literal substrings of values to ignore.
    ///   - baseline: fingerprints of accepted findings to ignore.
    public init(allowlist: [String] = [], baseline: Set<String> = []) {
        let entries = allowlist.filter { !$0.isEmpty }
        self.allowLiterals = entries
        self.allowPatterns = entries.compactMap { entry in
            (try? NSRegularExpression(pattern: entry)).map { GuardianRegex(compiled: $0) }
        }
        self.baseline = baseline
    }

    /// Scans lines of one file and returns the findings not suppressed by the allowlist or the
    /// baseline, ordered by line then column.
    /// - Parameters:
    ///   - file: path reported in the findings.
    ///   - lines: the lines to inspect, with their 1-based line numbers (no line terminators).
    public func scan(file: String, lines: [(number: Int, text: String)]) -> [Finding] {
        scanWithFingerprints(file: file, lines: lines).map(\.finding)
    }

    /// Like ``scan(file:lines:)`` but also returns each finding's fingerprint, so that a caller
    /// can write or update a baseline file without ever handling the secret.
    /// - Parameter applyBaseline: when `false`, findings listed in the baseline are returned too.
    public func scanWithFingerprints(
        file: String, lines: [(number: Int, text: String)], applyBaseline: Bool = true
    ) -> [FingerprintedFinding] {
        var out: [FingerprintedFinding] = []
        for (index, (number, text)) in lines.enumerated() {
            if text.isEmpty { continue }
            var lower = Array(text.utf8)
            for i in lower.indices where lower[i] >= 65 && lower[i] <= 90 { lower[i] |= 0x20 }
            let previous = index > 0 && lines[index - 1].number == number - 1 ? lines[index - 1].text : nil
            let next = index + 1 < lines.count && lines[index + 1].number == number + 1 ? lines[index + 1].text : nil
            let line = GuardianLine(text: text, ns: text as NSString, lower: lower, previous: previous, next: next)
            for (rule, match) in Self.matches(in: line) {
                if isAllowlisted(match.value) { continue }
                let (column, endColumn) = Self.columns(text, match.range)
                let finding = Finding(
                    rule: rule.id, severity: rule.severity, file: file, line: number, column: column,
                    endLine: number, endColumn: endColumn, message: match.message)
                let print = Self.fingerprint(finding, secret: match.value)
                if applyBaseline, baseline.contains(print) { continue }
                out.append(FingerprintedFinding(finding: finding, fingerprint: print))
            }
        }
        out.sort {
            ($0.finding.line, $0.finding.column, $0.finding.rule) < (
                $1.finding.line, $1.finding.column, $1.finding.rule
            )
        }
        return out
    }

    /// Every rule's matches on a line; `generic-secret` skips values a provider rule reported.
    static func matches(in line: GuardianLine) -> [(SecurityGuardian.Rule, GuardianMatch)] {
        var found: [(SecurityGuardian.Rule, GuardianMatch)] = []
        let present = GuardianCatalogue.keywordIndex.rules(in: line.lower)
        let secretCount = GuardianCatalogue.secretRules.count
        for (index, rule) in GuardianCatalogue.all.enumerated() {
            let isGeneric = index == secretCount
            // The generic rule also looks at a value alone on its line after an opening XML element.
            guard present & (1 << UInt64(index)) != 0 || (isGeneric && Self.endsWithTag(line.previous)) else {
                continue
            }
            for match in rule.matches(in: line) {
                // A value a provider rule reported is not reported again by `generic-secret`.
                if isGeneric, found.contains(where: { NSIntersectionRange($0.1.range, match.range).length > 0 }) {
                    continue
                }
                found.append((rule.info, match))
            }
        }
        return found
    }

    /// Whether a line ends with `>` (then the next line may be an XML element's value).
    private static func endsWithTag(_ line: String?) -> Bool {
        guard let line else { return false }
        for byte in line.utf8.reversed() where byte != 32 && byte != 9 && byte != 13 { return byte == 62 }
        return false
    }

    /// A stable fingerprint of a finding for baseline files: `RULE:HEX16`, where `HEX16` is the
    /// 64-bit FNV-1a hash of the rule, the file and the matched value (the secret). The line is
    /// not part of it, so moving code does not invalidate a baseline; the secret cannot be read
    /// back from it.
    public static func fingerprint(_ finding: Finding, secret: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        feed(finding.rule.utf8)
        feed(CollectionOfOne(0))
        feed(finding.file.utf8)
        feed(CollectionOfOne(0))
        feed(secret.utf8)
        let hex = String(hash, radix: 16)
        return finding.rule + ":" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Masks a secret: at most its first four characters (fewer for short values), then `…`.
    public static func mask(_ value: String) -> String {
        let keep = min(4, value.count / 4)
        return String(value.prefix(keep)) + "…"
    }

    /// Shannon entropy of `value` in bits per character (Unicode scalar).
    public static func shannonEntropy<S: StringProtocol>(_ value: S) -> Double { SecretValue.entropy(value) }

    private func isAllowlisted(_ value: String) -> Bool {
        for literal in allowLiterals where value.contains(literal) { return true }
        return allowPatterns.contains { $0.test(value) }
    }

    /// Character columns (1-based start, exclusive end) of a UTF-16 range of `text`.
    static func columns(_ text: String, _ range: NSRange) -> (Int, Int) {
        let utf16 = text.utf16
        let start = utf16.index(utf16.startIndex, offsetBy: range.location, limitedBy: utf16.endIndex) ?? utf16.endIndex
        let end = utf16.index(start, offsetBy: range.length, limitedBy: utf16.endIndex) ?? utf16.endIndex
        let startChar = text.distance(from: text.startIndex, to: start)
        let endChar = startChar + text.distance(from: start, to: end)
        return (startChar + 1, endChar + 1)
    }
}
