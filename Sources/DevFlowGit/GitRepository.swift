import CGit2
import CGit2Shim
import Foundation

/// Initializes libgit2 once per process and turns its owner validation off, so that repositories owned by
/// another user (a CI checkout, a mounted volume) open. The value is libgit2's answer to the option.
let libgit2Setup: Int32 = {
    git_libgit2_init()
    return devflow_git_set_owner_validation(0)
}()

/// A git repository opened through libgit2: HEAD, files at a revision, changed paths and diff hunks.
///
/// An instance is not safe to use from several threads at once; open one per task.
public final class GitRepository {
    let handle: OpaquePointer

    /// Initializes libgit2 now rather than on the first repository opened (a fork server does it once, before it
    /// forks: with OpenSSL it reads the system's CA bundle, about 7 ms).
    public static func prepareLibrary() { _ = libgit2Setup }

    /// The working directory, without a trailing slash; nil for a bare repository.
    public let workdir: String?
    /// The `.git` directory (or the repository itself when bare), without a trailing slash.
    public let gitDirectory: String

    /// Opens the repository containing `path`, looking in `path` and then in each parent directory.
    ///
    /// - Throws: `GitError` of kind `.notARepository` when no repository is found.
    public convenience init(path: String) throws {
        try self.init(path: path, searchingParents: true)
    }

    /// Opens the repository at `path`, or in each parent directory too when `searchingParents`.
    init(path: String, searchingParents: Bool) throws {
        _ = libgit2Setup
        var repository: OpaquePointer?
        let flags = searchingParents ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let code = git_repository_open_ext(&repository, path, flags, nil)
        guard code == 0, let repository else {
            if code == GIT_ENOTFOUND.rawValue {
                throw GitError(
                    .notARepository, "'\(path)' is not in a git repository (nor is any of its parent directories)",
                    code: code)
            }
            throw Self.failure(code, "cannot open the git repository at '\(path)'")
        }
        handle = repository
        workdir = git_repository_workdir(repository).map { Self.trimSlash(String(cString: $0)) }
        gitDirectory = Self.trimSlash(String(cString: git_repository_path(repository)))
    }

    deinit { git_repository_free(handle) }

    /// True when the repository is a shallow clone, whose oldest commits lack their parents.
    public var isShallow: Bool { git_repository_is_shallow(handle) == 1 }

    /// The branch, commit, author and subject HEAD points at.
    ///
    /// - Throws: `GitError` of kind `.unbornHead` when the repository has no commit yet.
    public func head() throws -> GitHead {
        var reference: OpaquePointer?
        let code = git_repository_head(&reference, handle)
        if code == GIT_EUNBORNBRANCH.rawValue || code == GIT_ENOTFOUND.rawValue {
            throw GitError(.unbornHead, "the repository has no commits yet, so HEAD names no commit", code: code)
        }
        try check(code, "cannot read HEAD")
        defer { git_reference_free(reference) }
        let detached = git_repository_head_detached(handle) == 1
        let branch = detached ? nil : git_reference_shorthand(reference).map { String(cString: $0) }
        var object: OpaquePointer?
        try check(git_reference_peel(&object, reference, GIT_OBJECT_COMMIT), "HEAD does not point at a commit")
        defer { git_object_free(object) }
        let commit = object!
        let author = git_commit_author(commit)!.pointee
        return GitHead(
            branch: branch,
            commit: Self.sha(git_commit_id(commit)),
            authorTime: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? "")
    }

    /// The full sha of the commit `revision` names (a branch, tag, sha, `HEAD~1`, `main^{commit}`…).
    ///
    /// - Throws: `GitError` of kind `.unknownRevision` when it names no commit.
    public func resolve(_ revision: String) throws -> String {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        return Self.sha(git_commit_id(commit))
    }

    /// The content of the file at `path` (relative to the repository root) in the tree of `revision`.
    ///
    /// - Throws: `GitError` of kind `.unknownRevision` for a bad revision and `.pathNotFound` when the path is
    ///   missing at that revision or is not a file.
    public func readFile(_ path: String, at revision: String = "HEAD") throws -> Data {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        let tree = try commitTree(commit)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, tree, path)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError(.pathNotFound, "'\(path)' does not exist at revision '\(revision)'", code: code)
        }
        try check(code, "cannot look up '\(path)' at revision '\(revision)'")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
            throw GitError(.pathNotFound, "'\(path)' is not a file at revision '\(revision)'")
        }
        var object: OpaquePointer?
        try check(git_tree_entry_to_object(&object, handle, entry), "cannot read '\(path)' at revision '\(revision)'")
        defer { git_object_free(object) }
        let size = Int(git_blob_rawsize(object))
        guard size > 0, let bytes = git_blob_rawcontent(object) else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// The paths a push from `before` to `after` changed.
    ///
    /// An all-zero (or empty) `before`, as sent for a new branch, gives the changes of the `after` commit itself;
    /// a commit without a parent gives everything in it.
    public func changedPaths(from before: String, to after: String) throws -> [GitChange] {
        try changes(.push(before: before, after: after))
    }

    /// The paths a pull request changes: from the merge base of `head` and `target` to `head`.
    public func changedPaths(pullRequest head: String, target: String) throws -> [GitChange] {
        try changes(.pullRequest(head: head, target: target))
    }

    /// The paths staged for the next commit (the index against HEAD), as a pre-commit hook sees them.
    public func stagedChanges() throws -> [GitChange] {
        try changes(.staged)
    }

    /// The commits on HEAD that `remoteBranch` (by default the current branch's upstream) lacks, and the paths
    /// they change, as a pre-push hook sees them.
    ///
    /// - Throws: `GitError` of kind `.noUpstream` when no remote branch is given and the current branch has no
    ///   upstream (or HEAD is detached).
    public func unpushedCommits(remoteBranch: String? = nil) throws -> GitUnpushedCommits {
        let upstream = try upstreamName(remoteBranch)
        let headCommit = try lookupCommit("HEAD")
        defer { git_commit_free(headCommit) }
        let upstreamCommit = try lookupCommit(upstream)
        defer { git_commit_free(upstreamCommit) }

        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "cannot walk the history")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_push(walk, git_commit_id(headCommit)), "cannot walk from HEAD")
        try check(git_revwalk_hide(walk, git_commit_id(upstreamCommit)), "cannot walk from '\(upstream)'")
        var commits: [String] = []
        var oid = git_oid()
        while true {
            let code = git_revwalk_next(&oid, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "cannot walk the history from HEAD to '\(upstream)'")
            commits.append(Self.sha(&oid))
        }
        return GitUnpushedCommits(
            upstream: upstream, commits: commits, changes: try changes(.unpushed(remoteBranch: upstream)))
    }

    /// The paths of the files in the index (what `git ls-files` lists: tracked and staged files, ignored and
    /// untracked ones left out), sorted as git stores them.
    public func trackedPaths() throws -> [GitPath] {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "cannot read the index")
        defer { git_index_free(index) }
        try check(git_index_read(index, 0), "cannot reload the index")
        var paths: [GitPath] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let path = entry.pointee.path else { continue }
            let length = strlen(path)
            paths.append(
                GitPath(bytes: Array(UnsafeRawBufferPointer(start: path, count: length).bindMemory(to: UInt8.self))))
        }
        return paths
    }

    /// The changed files of `comparison`, without their hunks.
    public func changes(_ comparison: GitComparison) throws -> [GitChange] {
        let diff = try makeDiff(comparison, contextLines: 0)
        defer { git_diff_free(diff) }
        return (0..<git_diff_num_deltas(diff)).map { Self.change(git_diff_get_delta(diff, $0)!.pointee) }
    }

    /// The unified diff of a push from `before` to `after` (same rules as `changedPaths(from:to:)`).
    public func diff(from before: String, to after: String, contextLines: Int = 3) throws -> [GitFileDiff] {
        try diff(.push(before: before, after: after), contextLines: contextLines)
    }

    /// The unified diff of `comparison`: each changed file with its hunks and their numbered lines.
    ///
    /// Binary files, and files larger than 16 MiB, come with `isBinary` set and no hunks.
    public func diff(_ comparison: GitComparison, contextLines: Int = 3) throws -> [GitFileDiff] {
        let diff = try makeDiff(comparison, contextLines: contextLines)
        defer { git_diff_free(diff) }
        var files: [GitFileDiff] = []
        for index in 0..<git_diff_num_deltas(diff) {
            var patch: OpaquePointer?
            try check(git_patch_from_diff(&patch, diff, index), "cannot compute the diff")
            defer { git_patch_free(patch) }
            // The delta is read after the patch is made: computing the patch settles the binary flag.
            let change = Self.change(git_diff_get_delta(diff, index)!.pointee)
            files.append(GitFileDiff(change: change, hunks: try patch.map(Self.hunks) ?? []))
        }
        return files
    }
}

// MARK: - Internals

extension GitRepository {
    static let maxDiffFileSize: Int64 = 16 << 20

    func makeDiff(_ comparison: GitComparison, contextLines: Int) throws -> OpaquePointer {
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.context_lines = UInt32(max(0, contextLines))
        options.max_size = Self.maxDiffFileSize
        var diff: OpaquePointer?
        switch comparison {
        case .staged:
            let headTree = try optionalHeadTree()
            defer { git_tree_free(headTree) }
            var index: OpaquePointer?
            try check(git_repository_index(&index, handle), "cannot read the index")
            defer { git_index_free(index) }
            // The repository keeps its index in memory; pick up what `git add` wrote since.
            try check(git_index_read(index, 0), "cannot reload the index")
            try check(git_diff_tree_to_index(&diff, handle, headTree, index, &options), "cannot diff the index")
        default:
            let (old, new) = try trees(for: comparison)
            defer {
                git_tree_free(old)
                git_tree_free(new)
            }
            try check(git_diff_tree_to_tree(&diff, handle, old, new, &options), "cannot compute the diff")
        }
        var find = git_diff_find_options()
        git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        if git_diff_find_similar(diff, &find) < 0 {
            git_diff_free(diff)
            throw Self.failure(-1, "cannot detect renames")
        }
        return diff!
    }

    /// The old (nil for "empty") and new trees of a comparison between commits.
    func trees(for comparison: GitComparison) throws -> (OpaquePointer?, OpaquePointer) {
        switch comparison {
        case .push(let before, let after):
            let afterCommit = try lookupCommit(after)
            defer { git_commit_free(afterCommit) }
            let new = try commitTree(afterCommit)
            do {
                if Self.isZero(before) {
                    return (try firstParentTree(afterCommit, revision: after), new)
                }
                let beforeCommit = try lookupCommit(before)
                defer { git_commit_free(beforeCommit) }
                return (try commitTree(beforeCommit), new)
            } catch {
                git_tree_free(new)
                throw error
            }
        case .pullRequest(let head, let target):
            return try mergeBaseTrees(head: head, base: target)
        case .unpushed(let remoteBranch):
            return try mergeBaseTrees(head: "HEAD", base: try upstreamName(remoteBranch))
        case .staged:
            preconditionFailure("the staged comparison diffs the index, not a tree")
        }
    }

    func mergeBaseTrees(head: String, base: String) throws -> (OpaquePointer?, OpaquePointer) {
        let headCommit = try lookupCommit(head)
        defer { git_commit_free(headCommit) }
        let baseCommit = try lookupCommit(base)
        defer { git_commit_free(baseCommit) }
        var mergeBase = git_oid()
        let code = git_merge_base(&mergeBase, handle, git_commit_id(headCommit), git_commit_id(baseCommit))
        if code == GIT_ENOTFOUND.rawValue {
            if isShallow {
                throw GitError(
                    .shallowHistory,
                    "'\(head)' and '\(base)' have no merge base in this shallow clone; fetch more history "
                        + "(git fetch --unshallow, or actions/checkout with fetch-depth: 0)", code: code)
            }
            throw GitError(.noMergeBase, "'\(head)' and '\(base)' share no history, so they have no merge base")
        }
        try check(code, "cannot find the merge base of '\(head)' and '\(base)'")
        var baseObject: OpaquePointer?
        try check(git_commit_lookup(&baseObject, handle, &mergeBase), "cannot read the merge base")
        defer { git_commit_free(baseObject) }
        let old = try commitTree(baseObject!)
        do {
            return (old, try commitTree(headCommit))
        } catch {
            git_tree_free(old)
            throw error
        }
    }

    /// The tree of the first parent of `commit`, or nil (the empty tree) when it has none.
    func firstParentTree(_ commit: OpaquePointer, revision: String) throws -> OpaquePointer? {
        guard git_commit_parentcount(commit) > 0 else { return nil }
        var parent: OpaquePointer?
        let code = git_commit_parent(&parent, commit, 0)
        if code < 0 {
            if isShallow || code == GIT_ENOTFOUND.rawValue {
                throw GitError(
                    .shallowHistory,
                    "the parent of '\(revision)' is not in this clone (shallow history); fetch more history "
                        + "(git fetch --deepen=1, or actions/checkout with fetch-depth: 2 or more)", code: code)
            }
            try check(code, "cannot read the parent of '\(revision)'")
        }
        defer { git_commit_free(parent) }
        return try commitTree(parent!)
    }

    func optionalHeadTree() throws -> OpaquePointer? {
        var reference: OpaquePointer?
        let code = git_repository_head(&reference, handle)
        if code == GIT_EUNBORNBRANCH.rawValue || code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "cannot read HEAD")
        defer { git_reference_free(reference) }
        var tree: OpaquePointer?
        try check(git_reference_peel(&tree, reference, GIT_OBJECT_TREE), "HEAD does not point at a commit")
        return tree
    }

    func upstreamName(_ remoteBranch: String?) throws -> String {
        if let remoteBranch { return remoteBranch }
        var reference: OpaquePointer?
        let headCode = git_repository_head(&reference, handle)
        if headCode == GIT_EUNBORNBRANCH.rawValue || headCode == GIT_ENOTFOUND.rawValue {
            throw GitError(.unbornHead, "the repository has no commits yet, so nothing is unpushed", code: headCode)
        }
        try check(headCode, "cannot read HEAD")
        defer { git_reference_free(reference) }
        guard git_reference_is_branch(reference) == 1, git_repository_head_detached(handle) == 0 else {
            throw GitError(
                .noUpstream, "HEAD is detached, so it has no upstream; name the remote branch to compare with")
        }
        let branch = git_reference_shorthand(reference).map { String(cString: $0) } ?? "HEAD"
        var upstream: OpaquePointer?
        let code = git_branch_upstream(&upstream, reference)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError(
                .noUpstream,
                "branch '\(branch)' has no upstream, so there is nothing to compare with; push with "
                    + "'git push -u REMOTE \(branch)' or name the remote branch", code: code)
        }
        try check(code, "cannot read the upstream of branch '\(branch)'")
        defer { git_reference_free(upstream) }
        return git_reference_shorthand(upstream).map { String(cString: $0) } ?? ""
    }

    /// Looks up the commit `revision` names; the caller frees it with `git_commit_free`.
    func lookupCommit(_ revision: String) throws -> OpaquePointer {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, handle, revision)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue || code == GIT_EAMBIGUOUS.rawValue {
            let reason =
                code == GIT_EAMBIGUOUS.rawValue
                ? "is ambiguous (a short sha that matches several objects?)"
                : "names no commit in this repository"
            var message = "unknown revision '\(revision)': it \(reason)"
            if isShallow && code == GIT_ENOTFOUND.rawValue {
                message += "; this clone is shallow, so the commit may be missing: fetch more history"
                throw GitError(.shallowHistory, message, code: code)
            }
            throw GitError(.unknownRevision, message, code: code)
        }
        try check(code, "cannot resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peel = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard peel == 0, let commit else {
            throw GitError(.unknownRevision, "revision '\(revision)' does not name a commit", code: peel)
        }
        return commit
    }

    func commitTree(_ commit: OpaquePointer) throws -> OpaquePointer {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "cannot read the tree of commit \(Self.sha(git_commit_id(commit)))")
        return tree!
    }

    func check(_ code: Int32, _ context: @autoclosure () -> String) throws {
        if code < 0 { throw Self.failure(code, context()) }
    }

    static func failure(_ code: Int32, _ context: String) -> GitError {
        var message = context
        if let last = git_error_last(), let text = last.pointee.message {
            message += ": " + String(cString: text)
        }
        return GitError(.other, message, code: code)
    }

    static func sha(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid, let text = git_oid_tostr_s(oid) else { return "" }
        return String(cString: text)
    }

    static func isZero(_ revision: String) -> Bool {
        revision.allSatisfy { $0 == "0" }
    }

    /// `path` without a trailing slash.
    public static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    static func path(_ pointer: UnsafePointer<CChar>?) -> GitPath {
        guard let pointer else { return GitPath(bytes: []) }
        return GitPath(
            bytes: Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map(UInt8.init(bitPattern:)))
    }

    static func change(_ delta: git_diff_delta) -> GitChange {
        let kind: GitChangeKind
        switch delta.status {
        case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED: kind = .added
        case GIT_DELTA_DELETED: kind = .deleted
        case GIT_DELTA_RENAMED: kind = .renamed
        case GIT_DELTA_COPIED: kind = .copied
        case GIT_DELTA_TYPECHANGE: kind = .typeChanged
        default: kind = .modified
        }
        let newPath = path(delta.new_file.path)
        let oldPath = path(delta.old_file.path)
        return GitChange(
            path: kind == .deleted ? oldPath : newPath,
            oldPath: (kind == .renamed || kind == .copied) && oldPath != newPath ? oldPath : nil,
            kind: kind,
            isBinary: delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0)
    }

    static func hunks(_ patch: OpaquePointer) throws -> [GitHunk] {
        var hunks: [GitHunk] = []
        for index in 0..<git_patch_num_hunks(patch) {
            var hunkPointer: UnsafePointer<git_diff_hunk>?
            var lineCount = 0
            guard git_patch_get_hunk(&hunkPointer, &lineCount, patch, index) == 0, let hunk = hunkPointer?.pointee
            else { throw failure(-1, "cannot read a diff hunk") }
            var added: [GitDiffLine] = []
            var removed: [GitDiffLine] = []
            for lineIndex in 0..<lineCount {
                var linePointer: UnsafePointer<git_diff_line>?
                guard git_patch_get_line_in_hunk(&linePointer, patch, index, lineIndex) == 0,
                    let line = linePointer?.pointee
                else { throw failure(-1, "cannot read a diff line") }
                let origin = UInt8(bitPattern: line.origin)
                guard origin == UInt8(ascii: "+") || origin == UInt8(ascii: "-") else { continue }
                var text = ""
                if let content = line.content, line.content_len > 0 {
                    var bytes = UnsafeRawBufferPointer(start: content, count: Int(line.content_len))[...]
                    if bytes.last == 0x0A { bytes = bytes.dropLast() }
                    if bytes.last == 0x0D { bytes = bytes.dropLast() }
                    text = String(decoding: bytes, as: UTF8.self)
                }
                if origin == UInt8(ascii: "+") {
                    added.append(GitDiffLine(number: Int(line.new_lineno), text: text))
                } else {
                    removed.append(GitDiffLine(number: Int(line.old_lineno), text: text))
                }
            }
            let header = withUnsafeBytes(of: hunk.header) { raw in
                var bytes = raw.prefix(min(Int(hunk.header_len), raw.count))
                while let last = bytes.last, last == 0x0A || last == 0x0D { bytes = bytes.dropLast() }
                return String(decoding: bytes, as: UTF8.self)
            }
            hunks.append(
                GitHunk(
                    oldStart: Int(hunk.old_start), oldCount: Int(hunk.old_lines), newStart: Int(hunk.new_start),
                    newCount: Int(hunk.new_lines), header: header, addedLines: added, removedLines: removed))
        }
        return hunks
    }
}
