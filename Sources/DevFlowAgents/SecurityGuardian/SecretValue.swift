import Foundation

/// Judgements shared by the secret rules: placeholders, references and randomness.
///
/// A documentation placeholder is never reported: a value containing `EXAMPLE` (AWS's documented
/// `AKIAIOSFODNN7EXAMPLE`), a run of four `x`, `X`, `#`, `*` or `.`, the words `RANDOM…`, `…HERE`,
/// `your…`, `changeme`, `placeholder`, `dummy`, `redacted`, `insert`, `replace`, six ascending
/// characters in a row (`abcdef`, `123456`), or a template (`<…>`, `${…}`, `{{…}}`, `%(…)`). A provider token must also look random: its part after the
/// fixed prefix needs a Shannon entropy of at least 3 bits per character (hex: 2.5), which text
/// such as `ghp_aaaa…` or `GR1348941` + `1231231…` does not reach.
enum SecretValue {
    private static let placeholderWords = [
        "example", "xxxx", "####", "****", "....", "random", "here", "your", "changeme", "change_me",
        "change-me", "placeholder", "dummy", "redacted", "insert", "replace", "${", "{{", "}}", "%(", "<", ">",
    ]

    /// Whether the value is a documentation placeholder rather than a secret.
    static func isPlaceholder(_ value: String) -> Bool {
        let lower = value.lowercased()
        return placeholderWords.contains { lower.contains($0) } || hasSequence(lower)
    }

    /// Six or more consecutive ascending letters or digits (`abcdef`, `123456`): typed, not drawn.
    static func hasSequence(_ lower: String) -> Bool {
        var run = 1
        var previous: UInt8 = 0
        for byte in lower.utf8 {
            let isAlnum = (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122)
            run = isAlnum && byte == previous &+ 1 ? run + 1 : 1
            if run >= 6 { return true }
            previous = byte
        }
        return false
    }

    /// Shannon entropy in bits per character (Unicode scalar).
    static func entropy<S: StringProtocol>(_ value: S) -> Double {
        var counts: [Unicode.Scalar: Int] = [:]
        var total = 0
        for scalar in value.unicodeScalars {
            counts[scalar, default: 0] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        let n = Double(total)
        var bits = 0.0
        for (_, c) in counts {
            let p = Double(c) / n
            bits -= p * log2(p)
        }
        return bits
    }

    /// Whether every character is a hex digit.
    static func isHex<S: StringProtocol>(_ value: S) -> Bool { value.allSatisfy(\.isHexDigit) }

    /// The verdict for a token: not a placeholder, and its variable part looks random.
    /// - Parameters:
    ///   - value: the whole token.
    ///   - prefix: the length of its fixed prefix, left out of the entropy.
    ///   - minimum: the entropy the variable part needs (hex parts need 2.5 at most).
    static func randomVerdict(_ value: String, prefix: Int = 0, minimum: Double = 3.0) -> TokenVerdict {
        if isPlaceholder(value) { return .notSecret }
        let body = value.dropFirst(prefix)
        let needed = isHex(body) ? min(minimum, 2.5) : minimum
        return entropy(body) >= needed ? .secret : .notSecret
    }

    /// Whether the value is a reference to a secret rather than one: an environment or template
    /// variable (`$X`, `${X}`, `%X%`, `os.environ`, `process.env`, `getenv`, `ENV[`, `secrets.X`,
    /// `vault:`), a dotted member path (`X25519.secret_length`), or the name of a secret
    /// (`NEXUS-GPT4-API-KEY`, upper-case words joined by `-` or `_`).
    static func isReference(_ value: String) -> Bool {
        if value.hasPrefix("$") || value.hasPrefix("%") { return true }
        let lower = value.lowercased()
        for marker in ["os.environ", "process.env", "getenv", "env[", "env.", "secrets.", "vault:", "config."]
        where lower.contains(marker) {
            return true
        }
        return isMemberPath(value) || isConstantName(value)
    }

    /// `a.b`, `X25519.secret_length`: identifiers joined by dots, one of them a lower-case word.
    private static func isMemberPath(_ value: String) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        for part in parts {
            guard let first = part.first, first.isLetter || first == "_",
                part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            else { return false }
        }
        return parts.contains { part in
            part.count >= 3 && part.allSatisfy { $0.isLowercase || $0 == "_" }
        }
    }

    /// `MY_API_KEY`, `NEXUS-GPT4-API-KEY`: upper-case words (letters, a few digits) joined by `_`/`-`.
    private static func isConstantName(_ value: String) -> Bool {
        let words = value.split(whereSeparator: { $0 == "_" || $0 == "-" })
        guard words.count >= 3 else { return false }
        return words.allSatisfy { word in
            word.count <= 12 && word.allSatisfy { $0.isUppercase || $0.isNumber }
                && word.filter(\.isLetter).count * 2 >= word.count
        }
    }

    /// Whether the value is a UUID (identifiers, not keys).
    static func isUUID(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
