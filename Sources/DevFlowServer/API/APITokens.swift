import Crypto
import DevFlowAPIRequests
import DevFlowStore
import Foundation

/// API tokens: made from 32 random bytes, shown once, kept only as their SHA-256.
enum APITokens {
    /// The prefix every DevFlow token starts with, so secret scanners (and people) recognise one.
    static let prefix = "dft_"

    /// A new token: the prefix and 32 bytes from the system's secure random source, base64url without padding.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + RunCursor.base64url(Data(bytes))
    }

    /// SHA-256 of the token, lowercase hex: what the store keeps and looks tokens up by.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// Whether two hashes are equal, in time that does not depend on where they first differ.
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The token of `Authorization: Bearer …`, if the header has that shape.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// A lifetime such as `90d`, `12h`, `30m` or `2w`: 1 to 9999 (no sign, no leading zero) minutes, hours, days or
    /// weeks, in seconds; nil otherwise. The bound keeps every expiry a four-digit year (9999 weeks is about 190
    /// years), which the store and the API's dates can hold.
    static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last else { return nil }
        let digits = text.dropLast()
        guard (1...4).contains(digits.count), digits.first != "0",
            digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits)
        else { return nil }
        let seconds: Double? =
            switch unit {
            case "m": 60
            case "h": 3600
            case "d": 86400
            case "w": 604_800
            default: nil
            }
        return seconds.map { Double(count) * $0 }
    }
}
