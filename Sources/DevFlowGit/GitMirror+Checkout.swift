import CGit2
import Foundation

/// A workspace `GitMirror.checkout(commit:into:)` made.
public struct GitCheckout: Equatable, Sendable {
    /// The workspace directory (absolute): a non-bare repository whose HEAD is detached at `commit`.
    public let workspace: String
    /// The full sha of the commit checked out (the revision given may have been a ref or a short sha).
    public let commit: String
    /// The full sha of that commit's tree.
    public let tree: String
}

extension GitMirror {
    /// Materializes the exact tree of `commit` as a fresh working directory at `workspace`: whatever was there is
    /// removed first, then a repository is made there whose objects come from the mirror (its
    /// `.git/objects/info/alternates` names the mirror's object directory, so nothing is copied), its HEAD detached
    /// at the commit and its index and files those of the commit. `GitRepository(path: workspace)` then answers
    /// HEAD, files and changed paths (any commit of the mirror is readable from it), and so does the `git` CLI.
    ///
    /// `commit` is best a full sha; a ref (`refs/pull/7/head`, `main`) or a short sha is resolved in the mirror.
    /// The workspace must not be the mirror, nor contain it or lie inside it. It depends on the mirror for its
    /// objects: delete workspaces before their mirror. Reads the mirror without its lock: objects are never
    /// removed by an update, and the commit is resolved once.
    ///
    /// - Throws: `GitError` of kind `.unknownRevision` when the mirror has no such commit (never fetched, or
    ///   force-pushed away, or a branch since deleted), with libgit2's message and what to do;
    ///   `.unusableDirectory` when the mirror is missing or the workspace cannot be made.
    ///
    /// With `reusing`, a workspace that an earlier checkout of this mirror made is brought to `commit` in place
    /// instead: HEAD detached at the commit, then a forced checkout that also removes untracked and ignored files
    /// (`git checkout --force` followed by `git clean -ffdx`), so only the files that differ are written; its
    /// `.git/config` and hooks are reset to those of a new repository. Anything unexpected there (not a repository,
    /// another mirror's objects, a lock a killed `git` left) falls back to a fresh checkout.
    @discardableResult
    public func checkout(commit revision: String, into workspace: String, reusing: Bool = false) throws -> GitCheckout {
        let mirror = try openMirror()
        let (commit, tree) = try resolveForCheckout(revision, in: mirror)
        let workspace = Self.absolute(workspace)
        if reusing, (try? refresh(workspace, to: commit, mirror: mirror)) != nil {
            return GitCheckout(workspace: workspace, commit: commit, tree: tree)
        }
        try prepareEmptyWorkspace(workspace)

        var created: OpaquePointer?
        let initCode = git_repository_init(&created, workspace, 0)
        guard initCode == 0 else {
            throw GitRepository.failure(initCode, "cannot create a repository in the workspace '\(workspace)'")
        }
        git_repository_free(created)
        let alternates = workspace + "/.git/objects/info/alternates"
        do {
            try Data((mirror.gitDirectory + "/objects\n").utf8).write(to: URL(fileURLWithPath: alternates))
        } catch {
            throw GitError(.unusableDirectory, "cannot write '\(alternates)': \(error)")
        }

        let repository = try GitRepository(path: workspace, searchingParents: false)
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { preconditionFailure("libgit2 gave a malformed sha") }
        let detach = git_repository_set_head_detached(repository.handle, &oid)
        guard detach == 0 else {
            throw GitRepository.failure(detach, "cannot detach HEAD at \(commit) in '\(workspace)'")
        }
        var options = git_checkout_options()
        git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        let checkout = git_checkout_head(repository.handle, &options)
        guard checkout == 0 else {
            throw GitRepository.failure(checkout, "cannot check out \(commit) into '\(workspace)'")
        }
        return GitCheckout(workspace: workspace, commit: commit, tree: tree)
    }

    /// Brings an earlier checkout of this mirror at `workspace` to `commit` in place (see `checkout(reusing:)`).
    private func refresh(_ workspace: String, to commit: String, mirror: GitRepository) throws {
        let git = workspace + "/.git"
        let alternates = try String(contentsOfFile: git + "/objects/info/alternates", encoding: .utf8)
        guard alternates == mirror.gitDirectory + "/objects\n" else {
            throw GitError(.unusableDirectory, "'\(workspace)' borrows another repository's objects")
        }
        let manager = FileManager.default
        for leftover in ["config", "hooks", "index.lock", "HEAD.lock"] {
            try? manager.removeItem(atPath: git + "/" + leftover)
        }
        var created: OpaquePointer?
        let initCode = git_repository_init(&created, workspace, 0)  // writes a new config and hooks
        guard initCode == 0 else { throw GitRepository.failure(initCode, "cannot reset '\(workspace)'") }
        git_repository_free(created)
        let repository = try GitRepository(path: workspace, searchingParents: false)
        var oid = git_oid()
        guard git_oid_fromstr(&oid, commit) == 0 else { preconditionFailure("libgit2 gave a malformed sha") }
        let detach = git_repository_set_head_detached(repository.handle, &oid)
        guard detach == 0 else { throw GitRepository.failure(detach, "cannot detach HEAD in '\(workspace)'") }
        var options = git_checkout_options()
        git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        options.checkout_strategy =
            GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue | GIT_CHECKOUT_REMOVE_IGNORED.rawValue
        let checkout = git_checkout_head(repository.handle, &options)
        guard checkout == 0 else { throw GitRepository.failure(checkout, "cannot update '\(workspace)'") }
    }

    /// The full shas of the commit `revision` names in the mirror and of its tree.
    private func resolveForCheckout(_ revision: String, in mirror: GitRepository) throws -> (String, String) {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, mirror.handle, revision)
        guard code == 0, let object else {
            let detail = git_error_last()?.pointee.message.map { String(cString: $0) } ?? "error \(code)"
            throw GitError(.unknownRevision, missingRevisionMessage(revision, detail: detail), code: code)
        }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        let peel = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT)
        guard peel == 0, let peeled else {
            throw GitError(
                .unknownRevision, "'\(revision)' names an object of the mirror of '\(displayURL)' that is not a commit",
                code: peel)
        }
        defer { git_object_free(peeled) }
        return (GitRepository.sha(git_commit_id(peeled)), GitRepository.sha(git_commit_tree_id(peeled)))
    }

    private func missingRevisionMessage(_ revision: String, detail: String) -> String {
        let isSha = revision.count >= 4 && revision.allSatisfy(\.isHexDigit)
        let what = isSha ? "commit '\(revision)'" : "ref '\(revision)'"
        let advice =
            isSha
            ? "it was never fetched or was force-pushed away; update the mirror and retry, or run again from a "
                + "commit that a branch still holds"
            : "the branch was deleted (or never pushed); run again from a commit sha or from a branch that exists"
        return "\(what) is not in the mirror of '\(displayURL)' at '\(directory)' (\(detail)): \(advice)"
    }

    /// Removes whatever is at `workspace` and creates it empty, refusing paths that overlap the mirror.
    private func prepareEmptyWorkspace(_ workspace: String) throws {
        let overlaps =
            workspace == directory || workspace == "/" || directory.hasPrefix(workspace + "/")
            || workspace.hasPrefix(directory + "/")
        guard !overlaps else {
            throw GitError(
                .unusableDirectory,
                "the workspace '\(workspace)' overlaps the mirror at '\(directory)'; give each run a workspace "
                    + "directory of its own, outside the mirrors")
        }
        let manager = FileManager.default
        do {
            if manager.fileExists(atPath: workspace) { try manager.removeItem(atPath: workspace) }
            try manager.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        } catch {
            throw GitError(.unusableDirectory, "cannot empty the workspace '\(workspace)': \(error)")
        }
    }
}
