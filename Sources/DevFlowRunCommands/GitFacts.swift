import DevFlowGit
import Foundation

/// Git facts for plans and runs, read with libgit2: the checked-out commit, and the changed paths of an event when
/// the command line does not give them.
public enum GitFacts {
    /// HEAD of the repository containing `directory`, or nil when there is none (or no commit yet).
    public static func head(in directory: String) -> GitHead? {
        try? GitRepository(path: directory).head()
    }

    /// The paths an event changes: a push, the last commit; a pull request, everything since the merge base with
    /// `base`; a pre-commit hook, the staged changes; a pre-push hook, the commits the upstream lacks. Nil (with the
    /// reason) when git cannot tell, in which case path filters skip nothing.
    public static func changedPaths(event: String, base: String?, hook: String?, directory: String) -> (
        paths: [String]?, note: String?
    ) {
        let comparison: GitComparison
        switch (event, hook) {
        case ("push", _): comparison = .push(before: "", after: "HEAD")
        case ("pull_request", _):
            guard let base else { return (nil, "no --base given, so the pull request's changes are unknown") }
            comparison = .pullRequest(head: "HEAD", target: base)
        case ("hook", "pre-commit"?), ("hook", nil): comparison = .staged
        case ("hook", "pre-push"?): comparison = .unpushed(remoteBranch: nil)
        default: return (nil, nil)
        }
        do {
            let changes = try GitRepository(path: directory).changes(comparison)
            var paths: [String] = []
            for change in changes {
                paths.append(change.path.string)
                if let old = change.oldPath { paths.append(old.string) }
            }
            return (paths, nil)
        } catch let error as GitError {
            return (nil, error.message)
        } catch {
            return (nil, "\(error)")
        }
    }
}
