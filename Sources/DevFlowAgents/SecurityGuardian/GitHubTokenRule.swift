/// `github-token`: a GitHub token in one of GitHub's documented formats.
///
/// Classic tokens are a prefix (`ghp_` personal access, `gho_` OAuth access, `ghu_` user-to-server,
/// `ghs_` server-to-server, `ghr_` refresh) and 36 base62 characters, of which the last 6 are a
/// checksum: the CRC-32 of the 30 random characters, written in base62 (`0-9A-Za-z`) and padded
/// with `0` to 6 characters (GitHub, "Behind GitHub's new authentication token formats", 2021).
/// A token whose checksum holds is reported as verified, whatever it looks like; one whose checksum
/// does not hold is reported only when it looks random (so `ghp_` + 36 `x` and other placeholders
/// are not). Fine-grained personal access tokens are `github_pat_` + 22 + `_` + 59 characters.
enum GitHubTokenRule {
    static let rule = TokenRule(
        id: "github-token", kind: "GitHub token",
        pattern: "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])",
        keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        examples: GuardianExamples(
            triggering: [
                "token: ghp_⟨a36⟩",
                "GITHUB_TOKEN=\"github_pat_⟨a22⟩_⟨a59⟩\"",
                "oauth = 'gho_⟨ghp⟩'",
                "auth: ghs_⟨a36⟩ and refresh ghr_⟨l36⟩",
                "installation = \"ghu_⟨ghp⟩\"",
            ],
            nonTriggering: [
                "prefix = \"ghp_\" + rnd",
                "x = \"ghp_⟨a20⟩\"",
                "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "token: ghp_aaaaaaaaaabbbbbbbbbbccccccccccdddddd",
            ]),
        validate: { value in
            if hasValidChecksum(value) { return .verified("checksum valid") }
            return SecretValue.randomVerdict(value, prefix: value.hasPrefix("github_pat_") ? 11 : 4)
        })

    /// Whether a classic token's last 6 characters are the base62 CRC-32 of the 30 before them.
    static func hasValidChecksum(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard bytes.count == 40, bytes[3] == UInt8(ascii: "_") else { return false }
        let random = Array(bytes[4..<34])
        return Array(bytes[34..<40]) == checksum(random)
    }

    /// The 6-character base62 checksum of a token's random part.
    static func checksum(_ random: [UInt8]) -> [UInt8] {
        var value = crc32(random)
        var digits: [UInt8] = []
        repeat {
            digits.append(base62[Int(value % 62)])
            value /= 62
        } while value > 0
        while digits.count < 6 { digits.append(UInt8(ascii: "0")) }
        return digits.reversed()
    }

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (ISO-HDLC, as zlib computes it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
