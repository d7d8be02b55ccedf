import Foundation

/// The detection core of the `security-guardian` built-in agent: secrets and risky patterns in
/// source lines. Pure computation — no process, no file system, no network.
///
/// The caller passes the lines to inspect (only the changed lines for `scope: changes`, or every
/// line for `scope: all`); each finding is anchored to its line and to the columns of the match.
///
/// Secret findings never contain the secret: the message shows at most its first four
/// characters followed by `…`, and the region covers the secret's value so that renderers can
/// point at it without quoting it.
///
/// Suppression:
/// - `allowlist`: each entry is tried against the *matched value* (the secret, or the matched
///   text of a risky pattern) both as a literal substring and, when it compiles, as a regular
///   expression (ICU syntax, unanchored search). Use it for documented example keys such as
///   `AKIAIOSFODNN7EXAMPLE`.
/// - `baseline`: fingerprints (see ``fingerprint(_:secret:)``) of accepted findings. A
///   fingerprint depends on the rule, the file and the value — not on the line — so it
///   survives edits elsewhere in the file, and a baseline file never holds the secret itself.
///
/// `generic-secret` choices (documented here because they trade recall for precision):
/// - the value must be ≥ 16 characters with Shannon entropy ≥ 3.5 bits/character, and must
///   contain a digit or at least three character classes (values made only of letters and
///   `_`/`-`/`.` are identifiers or prose, not keys);
/// - pure-hex values use a 3.0 bits/character threshold (hex cannot exceed 4.0), and are skipped
///   when the assigned name also says it is a digest (`sha`, `hash`, `digest`, `checksum`,
///   `md5`, `etag`, `commit`) — a `sha256` is not a secret, but a hex API key is;
/// - UUIDs, placeholders (`changeme`, `xxxx`, `****`, `<…>`, `${…}`, `{{…}}`, `example`,
///   `your_…`), environment references (`$VAR`, `os.environ`, `process.env`, `getenv`, `ENV[`),
///   paths and URLs are skipped;
/// - lines longer than 4,000 characters are not checked by this rule (minified files).
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
    public static let rules: [Rule] = SecurityGuardianRules.shared.ruleInfos

    /// Literal allowlist entries (all entries are kept as literals).
    private let allowLiterals: [String]
    /// Allowlist entries that compile as regular expressions.
    private let allowPatterns: SecurityGuardianRegexList
    /// Fingerprints of accepted findings.
    public let baseline: Set<String>

    /// Creates a guardian.
    /// - Parameters:
    ///   - allowlist: regular expressions or literal substrings of values to ignore.
    ///   - baseline: fingerprints of accepted findings to ignore.
    public init(allowlist: [String] = [], baseline: Set<String> = []) {
        let entries = allowlist.filter { !$0.isEmpty }
        self.allowLiterals = entries
        self.allowPatterns = SecurityGuardianRegexList(entries.compactMap { try? NSRegularExpression(pattern: $0) })
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
        let compiled = SecurityGuardianRules.shared
        var out: [FingerprintedFinding] = []
        for (number, text) in lines {
            if text.isEmpty { continue }
            var lower = Array(text.utf8)
            for i in lower.indices where lower[i] >= 65 && lower[i] <= 90 { lower[i] |= 0x20 }
            var raw: [Raw] = []
            var nsText: NSString?
            func ns() -> NSString {
                if let nsText { return nsText }
                let made = NSString(string: text)
                nsText = made
                return made
            }
            // Specific rules (secrets first, then risky patterns).
            for rule in compiled.regexRules where rule.prefilter(lower) {
                let s = ns()
                for match in rule.regex.matches(in: text, range: NSRange(location: 0, length: s.length)) {
                    let range = match.range(at: rule.valueGroup)
                    guard range.location != NSNotFound, range.length > 0 else { continue }
                    let value = s.substring(with: range)
                    raw.append(Raw(rule: rule.info, range: range, value: value, message: rule.message(value)))
                }
            }
            // generic-secret: entropy of assigned values.
            if lower.count <= 4_000, compiled.generic.prefilter(lower) {
                let s = ns()
                for match in compiled.generic.regex.matches(in: text, range: NSRange(location: 0, length: s.length)) {
                    let nameRange = match.range(at: 1)
                    var range = match.range(at: 2)
                    if range.location == NSNotFound { range = match.range(at: 3) }
                    let bare = match.range(at: 2).location == NSNotFound
                    guard range.location != NSNotFound, nameRange.location != NSNotFound else { continue }
                    let value = s.substring(with: range)
                    let name = s.substring(with: nameRange)
                    guard let entropy = Self.genericSecretEntropy(name: name, value: value, bare: bare) else {
                        continue
                    }
                    // A value already reported by a specific rule is not reported twice.
                    if raw.contains(where: { $0.rule.isSecret && NSIntersectionRange($0.range, range).length > 0 }) {
                        continue
                    }
                    let message =
                        "High-entropy value `\(Self.mask(value))` assigned to `\(Self.maskName(name))` "
                        + "(\(String(format: "%.1f", entropy)) bits/char); remove it, rotate it and load it from a secret store."
                    raw.append(Raw(rule: compiled.generic.info, range: range, value: value, message: message))
                }
            }
            // sql-concatenation: a scanner over string literals.
            if compiled.sql.prefilter(lower) {
                for hit in SecurityGuardianSQLScanner.scan(
                    Array(text.utf16), keyword: compiled.sqlKeyword, format: compiled.sqlFormatCall)
                {
                    let value = ns().substring(with: hit.range)
                    raw.append(
                        Raw(
                            rule: compiled.sql.info, range: hit.range, value: value,
                            message: "SQL statement built by \(hit.how); use bound parameters instead."))
                }
            }
            for r in raw {
                if isAllowlisted(r.value) { continue }
                let (column, endColumn) = Self.columns(text, r.range)
                let finding = Finding(
                    rule: r.rule.id, severity: r.rule.severity, file: file, line: number, column: column,
                    endLine: number, endColumn: endColumn, message: r.message)
                let print = Self.fingerprint(finding, secret: r.value)
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
    public static func shannonEntropy<S: StringProtocol>(_ value: S) -> Double {
        var counts: [Unicode.Scalar: Int] = [:]
        var total = 0
        for scalar in value.unicodeScalars {
            counts[scalar, default: 0] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        let n = Double(total)
        var entropy = 0.0
        for (_, c) in counts {
            let p = Double(c) / n
            entropy -= p * log2(p)
        }
        return entropy
    }

    // MARK: - Internals

    private struct Raw {
        let rule: Rule
        let range: NSRange
        let value: String
        let message: String
    }

    private func isAllowlisted(_ value: String) -> Bool {
        for literal in allowLiterals where value.contains(literal) { return true }
        let length = (value as NSString).length
        for pattern in allowPatterns.items
        where pattern.firstMatch(in: value, range: NSRange(location: 0, length: length)) != nil {
            return true
        }
        return false
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

    /// The name of an assignment is shown in messages; it is cut if it is long.
    private static func maskName(_ name: String) -> String {
        name.count <= 64 ? name : String(name.prefix(64)) + "…"
    }

    private static let digestWords = ["sha", "hash", "digest", "checksum", "md5", "etag", "commit"]
    private static let placeholderWords = [
        "${", "{{", "}}", "<", ">", "xxxx", "****", "....", "changeme", "change_me", "change-me", "placeholder",
        "example", "dummy", "your_", "your-", "redacted", "os.environ", "process.env", "getenv", "env[", "secrets.",
        "vault:", "%(", "...",
    ]

    /// The entropy of a generic-secret candidate, or nil when it is not one.
    static func genericSecretEntropy(name: String, value: String, bare: Bool) -> Double? {
        guard value.count >= 16 else { return nil }
        let lowerValue = value.lowercased()
        if value.hasPrefix("$") || value.hasPrefix("%") { return nil }
        for word in placeholderWords where lowerValue.contains(word) { return nil }
        for prefix in ["/", "./", "../", "~/", "http://", "https://", "file://"] where lowerValue.hasPrefix(prefix) {
            return nil
        }
        if let first = value.first, value.allSatisfy({ $0 == first }) { return nil }
        if isUUID(value) { return nil }
        var lower = false, upper = false, digit = false, symbol = false, hex = true
        for scalar in value.unicodeScalars {
            switch scalar {
            case "a"..."z": lower = true; if scalar > "f" { hex = false }
            case "A"..."Z": upper = true; if scalar > "F" { hex = false }
            case "0"..."9": digit = true
            default:
                hex = false
                if !"_-.".unicodeScalars.contains(scalar) { symbol = true }
            }
        }
        let classes = [lower, upper, digit, symbol].filter { $0 }.count
        if bare {
            guard digit, lower || upper else { return nil }
        } else {
            guard digit || classes >= 3 else { return nil }
        }
        let entropy = shannonEntropy(value)
        if hex {
            let lowerName = name.lowercased()
            if digestWords.contains(where: { lowerName.contains($0) }) { return nil }
            return entropy >= 3.0 ? entropy : nil
        }
        return entropy >= 3.5 ? entropy : nil
    }

    private static func isUUID(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}

// MARK: - SecurityGuardianRules rules (built once)

/// NSRegularExpression is immutable once built and safe to share between threads.
struct SecurityGuardianRegexList: @unchecked Sendable {
    let items: [NSRegularExpression]
    init(_ items: [NSRegularExpression]) { self.items = items }
}

final class SecurityGuardianRules: @unchecked Sendable {
    static let shared = SecurityGuardianRules()

    struct RegexRule {
        let info: SecurityGuardian.Rule
        let regex: NSRegularExpression
        /// Capture group holding the value (0: the whole match).
        let valueGroup: Int
        let keywords: [[UInt8]]
        let message: (String) -> String

        func prefilter(_ lower: [UInt8]) -> Bool { SecurityGuardianRules.containsAny(lower, keywords) }
    }

    struct Prefiltered {
        let info: SecurityGuardian.Rule
        let regex: NSRegularExpression
        let keywords: [[UInt8]]
        func prefilter(_ lower: [UInt8]) -> Bool { SecurityGuardianRules.containsAny(lower, keywords) }
    }

    let regexRules: [RegexRule]
    let generic: Prefiltered
    let sql: Prefiltered
    let sqlKeyword: NSRegularExpression
    let sqlFormatCall: NSRegularExpression
    let ruleInfos: [SecurityGuardian.Rule]

    private init() {
        func re(_ pattern: String, _ options: NSRegularExpression.Options = []) -> NSRegularExpression {
            // The patterns are constants; a typo is a programming error caught by the tests.
            try! NSRegularExpression(pattern: pattern, options: options)
        }
        func kw(_ words: [String]) -> [[UInt8]] { words.map { Array($0.lowercased().utf8) } }
        func secret(
            _ id: String, _ kind: String, _ pattern: String, group: Int = 0, keywords: [String],
            options: NSRegularExpression.Options = []
        ) -> RegexRule {
            RegexRule(
                info: .init(id: id, severity: .high, isSecret: true, summary: kind),
                regex: re(pattern, options), valueGroup: group, keywords: kw(keywords),
                message: { value in
                    "\(kind) `\(SecurityGuardian.mask(value))` in source; remove it, rotate it and load it from a secret store."
                })
        }
        func risky(
            _ id: String, _ severity: Finding.Severity, _ summary: String, _ message: String, _ pattern: String,
            keywords: [String], options: NSRegularExpression.Options = []
        ) -> RegexRule {
            RegexRule(
                info: .init(id: id, severity: severity, isSecret: false, summary: summary),
                regex: re(pattern, options), valueGroup: 0, keywords: kw(keywords), message: { _ in message })
        }
        let b64 = "A-Za-z0-9/+="
        regexRules = [
            secret(
                "aws-access-key", "AWS access key ID", "(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])",
                keywords: ["akia", "asia"]),
            secret(
                "aws-secret-key", "AWS secret access key",
                "(?i)(?:aws[A-Za-z0-9_.\\-]*secret|secret[A-Za-z0-9_.\\-]*aws)[A-Za-z0-9_.\\-]*[\"']?\\s*(?::=|=>|=|:)\\s*[\"']?([\(b64)]{40})(?![\(b64)])",
                group: 1, keywords: ["aws"]),
            secret(
                "github-token", "GitHub token",
                "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])",
                keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]),
            secret(
                "gitlab-token", "GitLab personal access token", "(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_\\-]{20,}",
                keywords: ["glpat-"]),
            secret(
                "slack-token", "Slack token",
                "(?<![A-Za-z0-9])xox[baprs]-(?=[A-Za-z0-9-]*[0-9])[A-Za-z0-9-]{10,250}", keywords: ["xox"]),
            secret(
                "slack-webhook", "Slack webhook URL",
                "hooks\\.slack\\.com/services/[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_]{8,}",
                keywords: ["hooks.slack.com"]),
            secret(
                "private-key", "Private key",
                "-----BEGIN (?:(?:RSA|EC|OPENSSH|DSA|ENCRYPTED) )?PRIVATE KEY-----|-----BEGIN PGP PRIVATE KEY BLOCK-----",
                keywords: ["private key"]),
            secret(
                "jwt", "JSON Web Token",
                "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}", keywords: ["eyj"]),
            secret(
                "stripe-key", "Stripe live secret key", "(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{16,}",
                keywords: ["_live_"]),
            secret(
                "google-api-key", "Google API key", "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_\\-]{35}(?![0-9A-Za-z_\\-])",
                keywords: ["aiza"]),
            risky(
                "curl-pipe-shell", .medium, "Downloaded script piped into a shell",
                "A downloaded script is piped into a shell; download it, verify a checksum or signature, then run it.",
                "\\b(?:curl|wget)\\b[^|\\n]*\\|\\s*(?:sudo\\s+(?:-\\S+\\s+)*)?(?:ba|z|k|da|fi)?sh\\b"
                    + "|\\b(?:ba|z|k|da)?sh\\s+(?:-c\\s+)?[\"']?(?:<\\(|\\$\\()\\s*(?:curl|wget)\\b",
                keywords: ["curl", "wget"], options: [.caseInsensitive]),
            risky(
                "tls-verification-disabled", .high, "TLS certificate verification disabled",
                "TLS certificate verification is disabled; connections can be intercepted.",
                "\\bverify\\s*=\\s*False\\b|\\bInsecureSkipVerify\\s*:\\s*true\\b"
                    + "|\\bNODE_TLS_REJECT_UNAUTHORIZED\\s*[=:]\\s*[\"']?0\\b|\\brejectUnauthorized\\s*:\\s*false\\b"
                    + "|\\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\\s*,\\s*(?:0|false|FALSE)\\b"
                    + "|\\bcurl\\b[^|;&\\n]*?\\s(?:-[A-Za-z]*k[A-Za-z]*|--insecure)(?=[\\s\"']|$)"
                    + "|--no-check-certificate\\b|\\bssl\\._create_unverified_context\\b|\\bcheck_hostname\\s*=\\s*False\\b",
                keywords: [
                    "verify", "insecure", "reject_unauthorized", "rejectunauthorized", "curlopt_ssl", "curl",
                    "no-check-certificate", "unverified", "check_hostname",
                ]),
            risky(
                "world-writable", .medium, "World-writable permissions",
                "World-writable permissions let any local user modify the file; grant only what is needed.",
                "\\bchmod\\s+(?:-[A-Za-z]+\\s+)*(?:0?[0-7]?[0-7][0-7][2367]|[ugo]*[ao][ugo]*[+=][rwxXst]*w[rwxXst]*)(?![0-9A-Za-z])"
                    + "|\\bchmod(?:Sync)?\\s*\\([^)\\n]*,\\s*0o?[0-7]?[0-7][0-7][2367]\\b|\\b0o777\\b",
                keywords: ["chmod", "777"]),
            risky(
                "eval-use", .medium, "Use of eval",
                "Code built at run time is evaluated; avoid eval and parse or dispatch explicitly.",
                "(?<![A-Za-z0-9_.$])eval\\s*\\(|(?<![A-Za-z0-9_.$-])eval\\s+[\"']?\\$|\\bnew\\s+Function\\s*\\(",
                keywords: ["eval", "function"]),
        ]
        generic = Prefiltered(
            info: .init(
                id: "generic-secret", severity: .high, isSecret: true,
                summary: "High-entropy value assigned to a secret-like name"),
            regex: re(
                "(?i)([A-Za-z0-9_.\\-]*(?:secret|token|password|passwd|api_key|apikey|api-key|private_key)[A-Za-z0-9_.\\-]*)"
                    + "[\"']?\\s*(?:(?::\\s*[A-Za-z_][A-Za-z0-9_.<>\\[\\]?]*\\s*)?(?::=|=>|=(?!=))|:(?!:))\\s*"
                    + "(?:[bru]?[\"'`]([^\"'`\\s\\\\]{16,})[\"'`]|([A-Za-z0-9+/=_\\-.~!@#%^&*]{16,}))"),
            keywords: kw(["secret", "token", "password", "passwd", "api_key", "apikey", "api-key", "private_key"]))
        sql = Prefiltered(
            info: .init(
                id: "sql-concatenation", severity: .high, isSecret: false,
                summary: "SQL built by string concatenation or interpolation"),
            regex: re("x"), keywords: kw(["select", "insert", "update", "delete"]))
        sqlKeyword = re(
            "(?i:^\\s*(?:select\\b[\\s\\S]*?\\b(?:from|where)|insert\\s+into|update\\b[\\s\\S]+?\\bset|delete\\s+from)\\b)"
                + "|\\b(?:SELECT\\b[\\s\\S]*?\\b(?:FROM|WHERE)|INSERT\\s+INTO|UPDATE\\b[\\s\\S]+?\\bSET|DELETE\\s+FROM)\\b"
        )
        sqlFormatCall = re("(?:format|sprintf|printf|Sprintf|Sprint|fmt\\.Sprintf)\\s*\\(\\s*$")
        let secretRules = regexRules.map(\.info).filter(\.isSecret)
        let riskyRules = regexRules.map(\.info).filter { !$0.isSecret }
        ruleInfos = secretRules + [generic.info] + riskyRules + [sql.info]
    }

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

// MARK: - SQL literal scanner

/// Finds string literals that contain an SQL statement and are joined to other values.
enum SecurityGuardianSQLScanner {
    struct Hit {
        let range: NSRange
        let how: String
    }

    private static let quote: UInt16 = 34, apostrophe: UInt16 = 39, backtick: UInt16 = 96, backslash: UInt16 = 92

    static func scan(_ u: [UInt16], keyword: NSRegularExpression, format: NSRegularExpression) -> [Hit] {
        var hits: [Hit] = []
        var i = 0
        let n = u.count
        while i < n {
            let c = u[i]
            guard c == quote || c == apostrophe || c == backtick else {
                i += 1
                continue
            }
            // Prefix letters glued to the quote: f"", F"", r"", b"", $"", @"", $@"".
            var prefixStart = i
            while prefixStart > 0, isPrefix(u[prefixStart - 1]) { prefixStart -= 1 }
            if prefixStart > 0, isIdentifier(u[prefixStart - 1]) { prefixStart = i }
            let prefix = String(decoding: u[prefixStart..<i], as: UTF16.self).lowercased()
            // Triple quotes.
            let triple = i + 2 < n && u[i + 1] == c && u[i + 2] == c
            let open = triple ? 3 : 1
            var j = i + open
            var closeEnd = n
            while j < n {
                if u[j] == backslash {
                    j += 2
                    continue
                }
                if u[j] == c {
                    if !triple {
                        closeEnd = j + 1
                        break
                    }
                    if j + 2 < n, u[j + 1] == c, u[j + 2] == c {
                        closeEnd = j + 3
                        break
                    }
                }
                j += 1
            }
            let contentStart = i + open
            let contentEnd = closeEnd == n && (j >= n) ? n : closeEnd - open
            defer { i = max(closeEnd, i + 1) }
            guard contentEnd > contentStart else { continue }
            let content = String(decoding: u[contentStart..<contentEnd], as: UTF16.self)
            let contentLength = (content as NSString).length
            guard keyword.firstMatch(in: content, range: NSRange(location: 0, length: contentLength)) != nil else {
                continue
            }
            if let how = joined(
                u, prefix: prefix, prefixStart: prefixStart, content: content, closeEnd: closeEnd, format: format)
            {
                hits.append(Hit(range: NSRange(location: prefixStart, length: closeEnd - prefixStart), how: how))
            }
        }
        return hits
    }

    private static func joined(
        _ u: [UInt16], prefix: String, prefixStart: Int, content: String, closeEnd: Int, format: NSRegularExpression
    ) -> String? {
        if content.contains("${") { return "`${…}` interpolation" }
        if content.contains("\\(") { return "`\\(…)` interpolation" }
        if content.contains("#{") { return "`#{…}` interpolation" }
        if (prefix.contains("f") || prefix.contains("$")), content.contains("{") {
            return "`{…}` interpolation"
        }
        // After the literal.
        var k = closeEnd
        while k < u.count, u[k] == 32 || u[k] == 9 { k += 1 }
        if k < u.count {
            let rest = String(decoding: u[k..<min(u.count, k + 8)], as: UTF16.self)
            if rest.hasPrefix("+"), !rest.hasPrefix("+=") { return "`+` concatenation" }
            if rest.hasPrefix("%"), !rest.hasPrefix("%=") { return "`%` formatting" }
            if rest.hasPrefix(".format(") { return "`.format(…)`" }
            if rest.hasPrefix("..") { return "`..` concatenation" }
            if rest.hasPrefix("."), k > closeEnd {
                let after = rest.dropFirst().drop(while: { $0 == " " })
                if after.hasPrefix("$") { return "`.` concatenation" }
            }
        }
        // Before the literal.
        var b = prefixStart - 1
        while b >= 0, u[b] == 32 || u[b] == 9 { b -= 1 }
        if b >= 0 {
            if u[b] == 43, b == 0 || u[b - 1] != 43 { return "`+` concatenation" }  // "+" but not "++"
            if u[b] == 46, b > 0, u[b - 1] == 32 || u[b - 1] == 9 { return "`.` concatenation" }
        }
        let before = String(decoding: u[0..<prefixStart], as: UTF16.self)
        let beforeLength = (before as NSString).length
        if content.range(of: "%[sdvq]", options: .regularExpression) != nil,
            format.firstMatch(in: before, range: NSRange(location: 0, length: beforeLength)) != nil
        {
            return "a format call"
        }
        return nil
    }

    private static func isPrefix(_ c: UInt16) -> Bool {
        switch c {
        case 102, 70, 114, 82, 98, 66, 117, 85, 36, 64: true  // f F r R b B u U $ @
        default: false
        }
    }

    private static func isIdentifier(_ c: UInt16) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
    }
}
