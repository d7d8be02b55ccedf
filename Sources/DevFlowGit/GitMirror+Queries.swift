import Foundation

/// What the server asks of a mirror at a commit, without a working tree. Each call opens the bare mirror anew
/// (a `GitRepository` is for one thread), so a `GitMirror` may be shared; for many questions in a row, open
/// `repository()` once.
extension GitMirror {
    /// The bare mirror, opened for reading (files, refs, commits, changed paths and diffs at any commit).
    ///
    /// - Throws: `GitError` of kind `.unusableDirectory` when `update()` has not made the mirror yet.
    public func repository() throws -> GitRepository {
        try openMirror()
    }

    /// The full sha of the commit `revision` names in the mirror (`refs/heads/main`, `main`, `refs/pull/7/head`,
    /// a tag, a short sha).
    public func resolve(_ revision: String) throws -> String {
        try openMirror().resolve(revision)
    }

    /// The content of the file at `path` in the tree of `revision`, read from the mirror (the server reads the
    /// pipeline file at the pushed commit this way).
    public func readFile(_ path: String, at revision: String) throws -> Data {
        try openMirror().readFile(path, at: revision)
    }

    /// The author, times and message of the commit `revision` names.
    public func commitInfo(_ revision: String) throws -> GitCommitInfo {
        try openMirror().commitInfo(revision)
    }

    /// The paths a push from `before` to `after` changed, for `paths:` filters.
    ///
    /// A nil, empty or all-zero `before` (a new branch), or a `before` the mirror does not have (a force-push
    /// that replaced history the mirror never saw), gives the changes of the `after` commit itself against its
    /// first parent, and everything in it for a root commit.
    public func changedPaths(before: String?, after: String) throws -> [GitChange] {
        let repository = try openMirror()
        let known = before.map { !GitRepository.isZero($0) && repository.hasCommit($0) } ?? false
        return try repository.changedPaths(from: known ? before! : "", to: after)
    }

    /// The paths a pull request changes: from the merge base of `head` and `target` (a sha or a branch such as
    /// `main`) to `head`, as the forge's "files changed" tab shows them.
    ///
    /// - Throws: `GitError` of kind `.noMergeBase` when the two share no history.
    public func changedPaths(pullRequestHead head: String, target: String) throws -> [GitChange] {
        try openMirror().changedPaths(pullRequest: head, target: target)
    }
}
