import Foundation

/// One ref update of a push: a branch or a tag created, moved or deleted.
public struct PushEvent: Sendable, Codable, Equatable {
    /// Whether the ref is a branch or a tag.
    public enum RefKind: String, Sendable, Codable, Equatable {
        /// `refs/heads/…`.
        case branch
        /// `refs/tags/…`.
        case tag
    }

    /// The full ref, `refs/heads/main` or `refs/tags/v1.2.0`.
    public var ref: String
    /// Branch or tag.
    public var refKind: RefKind
    /// The branch or tag name, without `refs/heads/` or `refs/tags/`.
    public var refName: String
    /// The commit the ref pointed at before (forty zeros when the ref is new; nil when the forge does not say).
    public var before: String?
    /// What the ref points at now (forty zeros for a deletion): for an annotated tag, the tag object.
    public var after: String
    /// The commit the ref now resolves to, to check out and post statuses on: `after`, except for an annotated
    /// tag, where it is the tagged commit (GitHub `head_commit.id`, GitLab `checkout_sha`).
    public var commit: String
    /// The ref was created by this push.
    public var created: Bool
    /// The ref was deleted by this push: nothing to run; the server records the delivery and ignores it.
    public var deleted: Bool
    /// Who pushed (login, username or nickname), when known.
    public var pusher: String?
    /// The head commit's timestamp as the forge wrote it (ISO 8601 with offset), when the payload has it.
    public var headCommitTimestamp: String?
    /// The head commit's message, when the payload has it.
    public var headCommitMessage: String?
    /// The paths the pushed commits changed, when the payload lists every commit with its files; nil when unknown
    /// (a new ref, a truncated commit list, Bitbucket), so that path filters skip nothing.
    public var changedPaths: [String]?

    /// Creates a push.
    public init(
        ref: String, refKind: RefKind, refName: String, before: String?, after: String, commit: String? = nil,
        created: Bool,
        deleted: Bool, pusher: String?, headCommitTimestamp: String? = nil, headCommitMessage: String? = nil,
        changedPaths: [String]? = nil
    ) {
        self.ref = ref
        self.refKind = refKind
        self.refName = refName
        self.before = before
        self.after = after
        self.commit = commit ?? after
        self.created = created
        self.deleted = deleted
        self.pusher = pusher
        self.headCommitTimestamp = headCommitTimestamp
        self.headCommitMessage = headCommitMessage
        self.changedPaths = changedPaths
    }

    /// The branch name when a branch was pushed.
    public var branch: String? { refKind == .branch ? refName : nil }
    /// The tag name when a tag was pushed.
    public var tag: String? { refKind == .tag ? refName : nil }

    /// `headCommitTimestamp` as a date, when it is ISO 8601 (with or without fractional seconds).
    public var headCommitDate: Date? {
        guard let text = headCommitTimestamp else { return nil }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// The forty zeros forges write for "no commit".
    public static let zeroSHA = String(repeating: "0", count: 40)

    /// Whether `sha` means "no commit": empty or all zeros.
    static func isZero(_ sha: String?) -> Bool {
        guard let sha else { return true }
        return sha.allSatisfy { $0 == "0" }
    }

    /// Splits a full ref into branch or tag and name; nil for other refs (notes, pull-request refs).
    static func split(ref: String) -> (RefKind, String)? {
        if ref.hasPrefix("refs/heads/"), ref.count > 11 { return (.branch, String(ref.dropFirst(11))) }
        if ref.hasPrefix("refs/tags/"), ref.count > 10 { return (.tag, String(ref.dropFirst(10))) }
        return nil
    }

    /// `branch 'main'` or `tag 'v1'`, for reasons and messages.
    public var refDescription: String { "\(refKind.rawValue) '\(refName)'" }
}
