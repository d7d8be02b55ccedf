import Crypto
import DevFlowAPIRequests
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's sign-in sessions: after a token is pasted into the sign-in form, the browser keeps an HttpOnly,
/// SameSite=Strict cookie that names the token (by its SHA-256, never the token itself) and an expiry, signed with a
/// key every server on the store shares. Each request checks the token again, so revoking or expiring the token ends
/// its sessions at once. Forms and unsafe API calls from a page carry a CSRF token derived from the cookie.
struct DashboardSessions: Sendable {
    /// The cookie's name.
    static let cookieName = "devflow_session"
    /// The form field that carries the CSRF token.
    static let formField = "_csrf"
    /// The header that carries it on API calls made by a page's script.
    static let header = HTTPField.Name("X-CSRF-Token")!
    /// How long a session lasts (never past its token's expiry).
    static let lifetime: TimeInterval = 12 * 3600

    /// The signing key's bytes (a `SymmetricKey` is made per use: it is not `Sendable`).
    let key: [UInt8]
    /// Whether cookies are marked `Secure` (the server's public URL is https).
    let secure: Bool

    /// Reads (or makes) the signing key from the store.
    init(store: any APIStore, secure: Bool) throws {
        let secret = try store.serverSecret(named: "dashboard-session-key") { APITokens.generate() }
        key = Array(secret.utf8)
        self.secure = secure
    }

    /// A session cookie's value for `token`, valid until `lifetime` from `now` or the token's expiry.
    func issue(for token: APITokenRecord, now: Date) -> String {
        var expiry = now.addingTimeInterval(Self.lifetime)
        if let tokenExpiry = token.expiresAt { expiry = min(expiry, tokenExpiry) }
        let payload = "v1.\(token.hash).\(Int64(expiry.timeIntervalSince1970))"
        return payload + "." + sign(payload)
    }

    /// The token hash of a valid, unexpired session cookie value; nil for anything else.
    func tokenHash(session value: String, now: Date) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", let expiry = Int64(parts[2]) else { return nil }
        let payload = parts[0...2].joined(separator: ".")
        guard APITokens.constantTimeEqual(sign(payload), String(parts[3])) else { return nil }
        guard Double(expiry) > now.timeIntervalSince1970 else { return nil }
        return String(parts[1])
    }

    /// The CSRF token of a session: an HMAC of its cookie value, so it cannot be made without the cookie and the key.
    func csrf(session value: String) -> String { sign("csrf." + value) }

    /// Whether `presented` is the CSRF token of the session `value`.
    func checkCSRF(_ presented: String?, session value: String) -> Bool {
        guard let presented, !presented.isEmpty else { return false }
        return APITokens.constantTimeEqual(presented, csrf(session: value))
    }

    /// The cookie that starts a session.
    func cookie(_ value: String) -> Cookie {
        Cookie(
            name: Self.cookieName, value: value, maxAge: Int(Self.lifetime), path: "/", secure: secure,
            httpOnly: true, sameSite: .strict)
    }

    /// The cookie that ends one.
    func clearingCookie() -> Cookie {
        Cookie(
            name: Self.cookieName, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            secure: secure, httpOnly: true, sameSite: .strict)
    }

    func sign(_ text: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key))
        return RunCursor.base64url(Data(code))
    }

    /// The session cookie's value in a request, if it sent one.
    static func value(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, !value.isEmpty else { return nil }
        return value
    }
}
