/// What one `GitMirror.update()` did.
public struct GitMirrorUpdate: Equatable, Sendable {
    /// Whether the update made the mirror or refreshed it.
    public enum Action: String, Sendable {
        /// The mirror did not exist: the remote was cloned (bare) and renamed into place.
        case cloned
        /// The mirror existed: the remote was fetched and deleted refs pruned.
        case fetched
    }

    /// Whether the mirror was cloned or fetched.
    public let action: Action
    /// Every ref the update created, moved or deleted, in the order libgit2 reported them.
    public let refUpdates: [GitRefUpdate]
    /// The remote's default branch (`refs/heads/main`), which the mirror's HEAD now names; nil when the remote
    /// does not say (an empty repository, an old server).
    public let defaultBranch: String?
    /// How many objects the remote sent.
    public let receivedObjects: Int
    /// How many bytes of pack data the remote sent.
    public let receivedBytes: Int

    /// Makes an update record (for tests and for callers that report updates).
    public init(
        action: Action, refUpdates: [GitRefUpdate], defaultBranch: String?, receivedObjects: Int, receivedBytes: Int
    ) {
        self.action = action
        self.refUpdates = refUpdates
        self.defaultBranch = defaultBranch
        self.receivedObjects = receivedObjects
        self.receivedBytes = receivedBytes
    }
}

/// One ref an update changed.
public struct GitRefUpdate: Hashable, Sendable {
    /// How the ref changed.
    public enum Kind: String, Sendable {
        /// The ref is new in the mirror.
        case created
        /// The ref points at another commit (a fast-forward or a force-push).
        case moved
        /// The remote deleted the ref, so the mirror pruned it.
        case deleted
    }

    /// The full ref name, such as `refs/heads/main` or `refs/pull/7/head`.
    public let name: String
    /// The sha the ref had before, nil when it is new.
    public let oldCommit: String?
    /// The sha the ref has now, nil when it was deleted.
    public let newCommit: String?

    /// Makes a ref update.
    public init(name: String, oldCommit: String?, newCommit: String?) {
        self.name = name
        self.oldCommit = oldCommit
        self.newCommit = newCommit
    }

    /// Whether the ref was created, moved or deleted.
    public var kind: Kind {
        if oldCommit == nil { return .created }
        return newCommit == nil ? .deleted : .moved
    }
}
