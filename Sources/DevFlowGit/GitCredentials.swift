import Foundation

/// What a mirror answers when an HTTPS remote asks for credentials: a user name and a token, sent as HTTP basic
/// authentication through libgit2's credential callback.
///
/// The token is never written to the mirror (its configuration keeps the URL without credentials), never put
/// into a URL, and never printed: `description`, `debugDescription` and `dump` show `***`, and every error a
/// mirror throws has the token replaced by `***`.
///
/// ```swift
/// let credentials = GitCredentials(token: token)  // user x-access-token, as GitHub App tokens expect
/// let gitlab = GitCredentials(username: "oauth2", token: token)
/// ```
public struct GitCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The user name sent with the token: `x-access-token` (GitHub), `oauth2` (GitLab), `x-token-auth`
    /// (Bitbucket), or the account name a personal access token belongs to.
    public let username: String
    /// The secret itself.
    public let token: String

    /// Credentials for `token`, sent as the password of `username`.
    public init(username: String = "x-access-token", token: String) {
        self.username = username
        self.token = token
    }

    /// The user name with the token masked.
    public var description: String { "GitCredentials(username: \(username), token: ***)" }

    /// The same as `description`: the token stays masked in debug output.
    public var debugDescription: String { description }

    /// A mirror for `dump` and debuggers without the token.
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "token": "***"]) }

    /// `text` with every occurrence of the token replaced by `***` (nothing to replace for an empty token).
    func redact(_ text: String) -> String {
        guard !token.isEmpty else { return text }
        return text.replacingOccurrences(of: token, with: "***")
    }
}
