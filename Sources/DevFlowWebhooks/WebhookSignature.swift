import Crypto

/// Webhook authenticity checks in constant time: an HMAC-SHA256 signature header (GitHub, Bitbucket Cloud) or a
/// shared token header (GitLab). A missing header is `unsigned`, a wrong one `forged`; no message contains the
/// secret or what was sent in its place.
enum WebhookSignature {
    /// Checks `header: sha256=<hex HMAC-SHA256 of the raw body keyed with secret>`.
    static func verifyHMAC(
        _ request: WebhookRequest, header: String, forge: ForgeKind, secret: String
    ) throws(WebhookRejection) {
        try requireSecret(secret, forge: forge)
        guard let value = request.nonEmptyHeader(header) else {
            throw .unsigned(
                "missing header \(header): the hook is not signed; set the same secret in \(forge.secretSetting) "
                    + "and in webhook_secret")
        }
        let prefix = "sha256="
        guard value.lowercased().hasPrefix(prefix), let given = hexBytes(value.dropFirst(prefix.count)),
            given.count == SHA256.byteCount
        else {
            throw .forged("\(header) is not 'sha256=' followed by 64 hexadecimal digits")
        }
        let expected = Array(
            HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Array(secret.utf8))))
        guard constantTimeEqual(expected, given) else {
            throw .forged(
                "\(header) does not match the body signed with this repository's webhook_secret: "
                    + "the secrets differ or the body was changed on the way; set the same secret in "
                    + "\(forge.secretSetting) and in webhook_secret")
        }
    }

    /// Checks `header: <secret>`. Both sides are hashed first so that the comparison takes the same time whatever
    /// the lengths.
    static func verifyToken(
        _ request: WebhookRequest, header: String, forge: ForgeKind, secret: String
    ) throws(WebhookRejection) {
        try requireSecret(secret, forge: forge)
        guard let given = request.header(header), !given.isEmpty else {
            throw .unsigned(
                "missing header \(header): the hook has no secret token; set the same secret in "
                    + "\(forge.secretSetting) and in webhook_secret")
        }
        let expectedDigest = Array(SHA256.hash(data: Array(secret.utf8)))
        let givenDigest = Array(SHA256.hash(data: Array(given.utf8)))
        guard constantTimeEqual(expectedDigest, givenDigest) else {
            throw .forged(
                "\(header) is not this repository's webhook_secret; set the same secret in \(forge.secretSetting) "
                    + "and in webhook_secret")
        }
    }

    /// An empty secret would accept any signature made with an empty key: refuse it as a configuration problem.
    static func requireSecret(_ secret: String, forge: ForgeKind) throws(WebhookRejection) {
        guard !secret.isEmpty else {
            throw .forged(
                "this repository's webhook_secret is empty, so no \(forge.displayName) delivery can be "
                    + "authenticated; set webhook_secret to a non-empty secret")
        }
    }

    /// Whether `a` and `b` are equal, looking at every byte whatever the first difference (lengths are public).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The bytes of an even-length hexadecimal string (either case); nil when it is not one.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The lower-case hex HMAC-SHA256 of `body` keyed with `secret`, as a forge would send it after `sha256=`.
    static func hexHMAC(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }
}
