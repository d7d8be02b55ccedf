import Foundation

/// A remote's address as given (a local path, `file://`, `http(s)://`), and the form that is safe to store and
/// print: without the user information of a URL (`https://user:secret@host/x.git` → `https://host/x.git`).
struct GitRemoteAddress: Sendable, Equatable {
    /// The address libgit2 connects to, exactly as given.
    let raw: String
    /// The address without user information: what the mirror's configuration records and messages quote.
    let display: String
    /// The password of the URL's user information, if it has one (redacted from messages like a token).
    let embeddedSecret: String?

    init(_ raw: String) {
        self.raw = raw
        guard let schemeEnd = raw.range(of: "://") else {
            display = raw
            embeddedSecret = nil
            return
        }
        let authorityStart = schemeEnd.upperBound
        let rest = raw[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else {
            display = raw
            embeddedSecret = nil
            return
        }
        let userInfo = authority[..<at]
        embeddedSecret = userInfo.firstIndex(of: ":").map { String(userInfo[userInfo.index(after: $0)...]) }
        display =
            String(raw[..<authorityStart]) + String(authority[authority.index(after: at)...])
            + String(rest[authorityEnd...])
    }

    /// `text` with the raw address replaced by its display form and every known secret by `***`.
    func redact(_ text: String, credentials: GitCredentials?) -> String {
        var text = raw == display ? text : text.replacingOccurrences(of: raw, with: display)
        if let credentials { text = credentials.redact(text) }
        if let embeddedSecret, !embeddedSecret.isEmpty {
            text = text.replacingOccurrences(of: embeddedSecret, with: "***")
        }
        return text
    }
}
