import Crypto
import Foundation

/// A pagination cursor: the id the next page starts below and a digest of the query's filters, signed with the
/// server's key (HMAC-SHA256). A cursor that was edited, or sent with other filters, is refused, never guessed at.
public struct RunCursor: Sendable, Equatable {
    /// The next page has ids below this one.
    public var before: Int64
    /// What the filters were.
    public var query: String

    /// A cursor for the page below `before` of the listing whose filters are `query`.
    public init(before: Int64, query: String) {
        self.before = before
        self.query = query
    }

    /// The cursor as text: `BEFORE.QUERYDIGEST.MAC`, base64url.
    public func encoded(key: Data) -> String {
        let payload = "\(before).\(Self.digest(query))"
        return Self.base64url(Data(payload.utf8)) + "." + Self.base64url(Data(mac(payload, key: key)))
    }

    /// Reads a cursor; throws a 400 that says what is wrong with it.
    public static func decode(_ text: String, query: String, key: Data) throws(APIError) -> RunCursor {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payloadData = unbase64url(String(parts[0])),
            let macData = unbase64url(String(parts[1])), let payload = String(data: payloadData, encoding: .utf8)
        else { throw .invalidParameter("cursor", "the cursor is not one this server made; start again without it") }
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                macData, authenticating: Data(payload.utf8), using: SymmetricKey(data: key))
        else {
            throw .invalidParameter(
                "cursor", "the cursor was changed or made by another server; start again without it")
        }
        let fields = payload.split(separator: ".")
        guard fields.count == 2, let before = Int64(fields[0]) else {
            throw .invalidParameter("cursor", "the cursor is not one this server made; start again without it")
        }
        guard fields[1] == digest(query) else {
            throw .invalidParameter(
                "cursor", "the cursor belongs to a listing with other filters; keep the filters or start again")
        }
        return RunCursor(before: before, query: query)
    }

    private func mac(_ payload: String, key: Data) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: key)))
    }

    private static func digest(_ query: String) -> String {
        SHA256.hash(data: Data(query.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// `data` in base64url without padding (RFC 4648 §5): cursors, token secrets, dashboard codes.
    public static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of base64url `text`; nil when it is empty or not base64url.
    public static func unbase64url(_ text: String) -> Data? {
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
