/// A git operation that failed, with a message written for people rather than a libgit2 code.
public struct GitError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react differently to each case.
    public enum Kind: String, Sendable {
        /// The path is not inside a git repository (nor is any of its parents).
        case notARepository
        /// A revision (branch, tag, sha, `HEAD~2`…) that does not name a commit in this repository.
        case unknownRevision
        /// History needed for the answer is missing because the clone is shallow.
        case shallowHistory
        /// The repository has no commit yet, so HEAD names nothing.
        case unbornHead
        /// The current branch has no upstream, or HEAD is detached, so "unpushed" has no meaning.
        case noUpstream
        /// Two revisions share no history, so they have no merge base.
        case noMergeBase
        /// A file that does not exist at the revision asked for, or that is not a file.
        case pathNotFound
        /// The remote asked for credentials that were missing or that it rejected.
        case authenticationFailed
        /// The remote could not be reached or read (refused connection, bad URL, not a repository there).
        case transportFailed
        /// A mirror or workspace directory exists but cannot be used (not a repository, not writable).
        case unusableDirectory
        /// Any other failure reported by libgit2; the message carries its text.
        case other
    }

    /// What went wrong.
    public let kind: Kind
    /// One or two sentences saying what failed and, where there is one, what to do about it.
    public let message: String
    /// The libgit2 return code, when the failure came from libgit2 (0 otherwise).
    public let code: Int32

    /// Makes an error of `kind` with `message`, optionally keeping the libgit2 return `code`.
    public init(_ kind: Kind, _ message: String, code: Int32 = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    /// The message, as printed.
    public var description: String { message }
}
