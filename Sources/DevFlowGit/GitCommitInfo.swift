import CGit2
import Foundation

/// The facts of one commit: who wrote it and when (DORA's lead time starts at `authorTime`), and its message.
public struct GitCommitInfo: Equatable, Sendable {
    /// The full sha.
    public let sha: String
    /// The full shas of the parents, first parent first (empty for a root commit).
    public let parents: [String]
    /// The author's name.
    public let authorName: String
    /// The author's e-mail address.
    public let authorEmail: String
    /// When the change was authored (kept through rebases and cherry-picks).
    public let authorTime: Date
    /// When the commit object was made (a rebase or an amend moves it).
    public let committerTime: Date
    /// The whole message, as recorded (encoding aside: decoded lossily from UTF-8).
    public let message: String
    /// The first paragraph of the message, on one line.
    public let subject: String
}

extension GitRepository {
    /// The facts of the commit `revision` names (a sha, a branch, a tag, `refs/pull/7/head`, `HEAD~1`…).
    ///
    /// Works in bare repositories such as a `GitMirror`.
    ///
    /// - Throws: `GitError` of kind `.unknownRevision` when it names no commit.
    public func commitInfo(_ revision: String) throws -> GitCommitInfo {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        let author = git_commit_author(commit)!.pointee
        let committer = git_commit_committer(commit)!.pointee
        let parents = (0..<git_commit_parentcount(commit)).map { Self.sha(git_commit_parent_id(commit, $0)) }
        return GitCommitInfo(
            sha: Self.sha(git_commit_id(commit)), parents: parents,
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            authorTime: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
            committerTime: Date(timeIntervalSince1970: TimeInterval(committer.when.time)),
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? "")
    }

    /// True when `revision` names a commit here (false for an unknown sha or a deleted branch).
    public func hasCommit(_ revision: String) -> Bool {
        guard let commit = try? lookupCommit(revision) else { return false }
        git_commit_free(commit)
        return true
    }
}
