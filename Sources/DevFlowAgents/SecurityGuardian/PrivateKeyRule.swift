import Foundation

/// `private-key`: the header of a PEM private key block (`-----BEGIN … PRIVATE KEY-----`, RSA, EC,
/// DSA, OpenSSH, encrypted, PKCS#8, PGP `PRIVATE KEY BLOCK`).
///
/// The header is reported when a key body follows it: base64 on the same line (a key in a JSON
/// string with `\n` escapes), or on the next line when the caller passed it; a header directly
/// followed by its `-----END` line, or by text that is not base64 (`anything`), is a template,
/// not a key. With no next line to look at (only the header line changed), the header is reported.
struct PrivateKeyRule: GuardianRule {
    static let rule = PrivateKeyRule()

    let info = SecurityGuardian.Rule(id: "private-key", severity: .high, isSecret: true, summary: "Private key")
    let keywords = GuardianKeywords.bytes(["private key"])
    let examples = GuardianExamples(
        triggering: [
            "-----BEGIN RSA PRIVATE KEY-----",
            "key = \"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\"",
            "-----BEGIN PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\n⟨b64⟩",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2",
        ],
        nonTriggering: [
            "-----BEGIN PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
        ])

    private let header = GuardianRegex("-----BEGIN[ A-Z0-9_]{0,100}PRIVATE KEY(?: BLOCK)?-----")
    private let body = GuardianRegex("^(?:\\\\n|\\s)*[A-Za-z0-9+/=]{16,}")
    private let pemField = GuardianRegex("^\\s*(?:Proc-Type|DEK-Info|Version|Comment|Hash):")

    func matches(in line: GuardianLine) -> [GuardianMatch] {
        header.matches(in: line).compactMap { match in
            let end = match.range.location + match.range.length
            let rest = line.ns.substring(from: end)
            let restTrimmed = rest.trimmingCharacters(in: .whitespaces)
            let hasKey: Bool
            if !restTrimmed.isEmpty && restTrimmed != "\"" && restTrimmed != "'" {
                hasKey = body.test(rest)
            } else if let next = line.next {
                hasKey = body.test(next) || pemField.test(next)
            } else {
                hasKey = true
            }
            guard hasKey else { return nil }
            let value = line.text(match.range)
            return GuardianMatch(
                range: match.range, value: value,
                message: "Private key `\(SecurityGuardian.mask(value))` in source; "
                    + "remove it, rotate it and load it from a secret store.")
        }
    }
}
