import Foundation

/// `generic-secret`: a high-entropy value assigned to a name that says it is a secret.
///
/// Names: anything containing `secret`, `token`, `password`, `passwd`, `api_key`/`apikey`/`api-key`,
/// `private_key`/`private-key`, `credential(s)`, `creds`, or ending in an `auth` word (`user_auth`).
/// Names that describe a secret without holding one are skipped: those ending in `id`, `name`,
/// `url`/`uri`/`endpoint`, `file`/`path`/`dir`, `length`/`size`/`count`, `type`, `version`, `header`,
/// `prefix`, `field`, `variable`, `ref`, and `csrf…`/`public…` tokens.
///
/// Syntaxes (see ``GenericAssignment``): `name = v`, `name: v`, `name := v`, `name ::= v`,
/// `name :::= v`, `name ?= v`, `name .= v` (PHP), `name => v`, `var name string = v` (Go), `String
/// name = v`, `"name", "v"` (`System.setProperty`, `config.put`), `<name>v</name>`, an XML element
/// whose value is on its own line, `name="v"` attributes and `<entry name="name" value="v"/>`, in
/// YAML, JSON, `.env`, INI, TOML, make and source code.
///
/// Values (``GenericSecretRule/entropy(name:value:bare:)``): at least 16 characters, Shannon entropy
/// ≥ 3.5 bits per character (pure hex ≥ 3.0, and not when the name says digest: `sha`, `hash`,
/// `checksum`…), a digit or three character classes (an unquoted value needs a digit and a letter).
/// Not reported: placeholders (``SecretValue/isPlaceholder(_:)``), references
/// (``SecretValue/isReference(_:)``), UUIDs, paths, URLs, digests (`sha256:…`), base64 of a JSON
/// object (a JWT header alone), function calls (`token = make_token(…)`),
/// subscripts, values in a provider's format (`xoxp-…`, `ghp_…`: the provider's rule decides), and
/// lines over 4,000 characters (minified files).
struct GenericSecretRule: GuardianRule {
    static let rule = GenericSecretRule()

    let info = SecurityGuardian.Rule(
        id: "generic-secret", severity: .high, isSecret: true,
        summary: "High-entropy value assigned to a secret-like name")
    let keywords = GuardianKeywords.bytes([
        "secret", "token", "password", "passwd", "api_key", "apikey", "api-key", "private_key", "private-key",
        "privatekey", "credential", "creds", "auth",
    ])
    let examples = GenericSecretExamples.examples

    func matches(in line: GuardianLine) -> [GuardianMatch] {
        guard line.lower.count <= 4_000 else { return [] }
        return GenericAssignment.find(in: line).compactMap { assignment in
            guard Self.isSecretName(assignment.name),
                let entropy = Self.entropy(name: assignment.name, value: assignment.value, bare: assignment.bare)
            else { return nil }
            let shownName = assignment.name.count <= 64 ? assignment.name : String(assignment.name.prefix(64)) + "…"
            return GuardianMatch(
                range: assignment.range, value: assignment.value,
                message: "High-entropy value `\(SecurityGuardian.mask(assignment.value))` assigned to `\(shownName)` "
                    + "(\(String(format: "%.1f", entropy)) bits/char); remove it, rotate it and load it from a secret store."
            )
        }
    }

    private static let secretWords = [
        "secret", "token", "password", "passwd", "api_key", "apikey", "api-key", "private_key", "private-key",
        "privatekey", "credential", "creds",
    ]
    private static let describingSuffixes = [
        "id", "ids", "name", "names", "url", "uri", "urls", "endpoint", "file", "path", "dir", "length", "len", "size",
        "count", "type", "version", "header", "prefix", "field", "variable", "ref", "mode", "label", "format",
    ]

    /// Whether an assigned name says it holds a secret.
    static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.contains("csrf") || lower.contains("xsrf") || lower.contains("public") || lower.contains("author") {
            return false
        }
        let words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        if let last = words.last, describingSuffixes.contains(String(last)) { return false }
        for suffix in describingSuffixes where lower.hasSuffix(suffix) {
            // camelCase: `credentialsId`, `tokenName` (the suffix starts with a capital in `name`).
            let index = name.index(name.endIndex, offsetBy: -suffix.count)
            if name[index].isUppercase, index > name.startIndex, name[name.index(before: index)].isLowercase {
                return false
            }
        }
        if secretWords.contains(where: { lower.contains($0) }) { return true }
        // `auth` as the last word: `user_auth`, `basicAuth`, `AUTH` (not `oauth`, `author`).
        guard lower.hasSuffix("auth") else { return false }
        let index = name.index(name.endIndex, offsetBy: -4)
        return index == name.startIndex || !name[name.index(before: index)].isLetter || name[index] == "A"
    }

    /// A path (`/var/run/secrets/token`), unlike base64 that happens to start with `/`: no mix of
    /// upper case, lower case and digits at high entropy.
    private static func isPathLike(_ value: String) -> Bool {
        let mixed =
            value.contains(where: \.isUppercase) && value.contains(where: \.isLowercase)
            && value.contains(where: \.isNumber)
        return !(mixed && SecretValue.entropy(value) >= 4.0)
    }

    /// base64 of a JSON object (`eyJhbGciOiJIUzI1NiJ9`, a JWT header alone) is data, not a key.
    private static func isEncodedJSON(_ value: String) -> Bool {
        guard value.hasPrefix("eyJ"), !value.contains(".") else { return false }
        var text = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return false }
        return (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
    }

    private static let digestWords = ["sha", "hash", "digest", "checksum", "md5", "etag", "commit"]
    /// Values in a provider's format are judged by the provider's rule alone (which knows its
    /// lengths, checksum and placeholders), not again by entropy.
    private static let providerPrefixes = [
        "xox", "xapp-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "glrt-", "glptt-", "gldt-",
        "sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_", "pk_live_", "pk_test_", "akia", "asia", "aiza",
        "npm_", "pypi-", "sk-ant-",
    ]

    /// The entropy of a candidate value, or nil when it is not a secret.
    static func entropy(name: String, value: String, bare: Bool) -> Double? {
        guard value.count >= 16 else { return nil }
        if SecretValue.isPlaceholder(value) || SecretValue.isReference(value) || SecretValue.isUUID(value) {
            return nil
        }
        let lowerValue = value.lowercased()
        if providerPrefixes.contains(where: { lowerValue.hasPrefix($0) }) { return nil }
        for prefix in ["http://", "https://", "file://", "sha256:", "sha512:", "sha1:", "md5:"]
        where lowerValue.hasPrefix(prefix) {
            return nil
        }
        if ["/", "./", "../", "~/"].contains(where: { value.hasPrefix($0) }), isPathLike(value) { return nil }
        if isEncodedJSON(value) { return nil }
        if let first = value.first, value.allSatisfy({ $0 == first }) { return nil }
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
        let bits = SecretValue.entropy(value)
        if hex {
            let lowerName = name.lowercased()
            if digestWords.contains(where: { lowerName.contains($0) }) { return nil }
            return bits >= 3.0 ? bits : nil
        }
        return bits >= 3.5 ? bits : nil
    }
}
