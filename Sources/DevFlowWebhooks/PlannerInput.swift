import DevFlowGraph

/// What the server does with one event of a delivery: plan (and maybe queue) a run, or record why not.
public enum PlannerInput: Sendable, Hashable {
    /// Plan `Planner.plan(graph, for: trigger.event)` and queue a run when it is triggered.
    case plan(ForgeTrigger)
    /// Record the delivery with this reason and run nothing (a ping, a deletion, an ignored event).
    case ignore(reason: String)
}

/// The facts a run is planned and queued from: the DevFlow event the planner reads, and where the commit is.
public struct ForgeTrigger: Sendable, Hashable {
    /// The planner's event: `push` with a branch or tag, or `pull_request` with head and base branches.
    public var event: PlanEvent
    /// The commit to run: the pushed head, or the pull request's head.
    public var commit: String
    /// The ref the run is for: `refs/heads/main`, `refs/tags/v1`, or the pull request's head branch ref.
    public var ref: String
    /// The ref to fetch to get `commit`: the pushed ref, GitHub's `refs/pull/N/head`, GitLab's
    /// `refs/merge-requests/N/head`, or the source branch of a Bitbucket pull request.
    public var fetchRef: String
    /// Where `fetchRef` lives: the repository's clone URL, or a Bitbucket fork's.
    public var cloneURL: String?
    /// Whether the commit comes from a fork (decides `forks: never | without_secrets | always`).
    public var fromFork: Bool
    /// The pull request activity (`opened`, `synchronize`, `reopened`, `ready_for_review`); nil for a push.
    public var activity: String?
    /// One line for logs and the delivery record: `push to branch 'main' by ada`.
    public var summary: String

    /// Whether `on.pull_request.types` admits this activity (empty types: opened, synchronize, reopened), and why;
    /// always true for pushes. The planner does not look at types, so the server asks this before queueing.
    public func activityAllowed(by triggers: Triggers) -> (allowed: Bool, reason: String) {
        guard let activity else { return (true, "pushes have no activity type") }
        let types = triggers.pullRequest?.types ?? []
        let accepted = types.isEmpty ? ["opened", "synchronize", "reopened"] : types
        guard accepted.contains(activity) else {
            return (
                false,
                "pull request activity '\(activity)' is not one of types: \(accepted.joined(separator: ", "))"
            )
        }
        return (true, "pull request activity '\(activity)' is in types")
    }
}

extension ForgeDelivery {
    /// One input per event the delivery carries (several for a Bitbucket push of several refs), in order.
    public var plannerInputs: [PlannerInput] {
        switch event {
        case .ping(let zen):
            return [.ignore(reason: "ping: the hook reaches DevFlow" + (zen.map { " (\($0))" } ?? ""))]
        case .ignored(let reason):
            return [.ignore(reason: reason)]
        case .push(let pushes):
            return pushes.map(input(for:))
        case .pullRequest(let pull):
            return [.plan(trigger(for: pull))]
        }
    }

    func input(for push: PushEvent) -> PlannerInput {
        guard !push.deleted else {
            return .ignore(reason: "\(push.refDescription) was deleted; deletions do not run")
        }
        let event = PlanEvent(
            kind: "push", branch: push.branch, tag: push.tag, changedPaths: push.changedPaths)
        let verb = push.created ? "new " : ""
        return .plan(
            ForgeTrigger(
                event: event, commit: push.commit, ref: push.ref, fetchRef: push.ref, cloneURL: cloneURL,
                fromFork: false, activity: nil,
                summary: "push to \(verb)\(push.refDescription)" + (push.pusher.map { " by \($0)" } ?? "")))
    }

    func trigger(for pull: PullRequestEvent) -> ForgeTrigger {
        let event = PlanEvent(kind: "pull_request", branch: pull.headRef, baseBranch: pull.baseRef)
        let fetchRef: String
        let source: String?
        switch forge {
        case .github:
            fetchRef = "refs/pull/\(pull.number)/head"
            source = cloneURL
        case .gitlab:
            fetchRef = "refs/merge-requests/\(pull.number)/head"
            source = cloneURL
        case .bitbucket:
            fetchRef = "refs/heads/\(pull.headRef)"
            source = pull.isFork ? pull.headCloneURL : cloneURL
        }
        let noun = forge == .gitlab ? "merge request !" : "pull request #"
        let fork = pull.isFork ? " from fork \(pull.headRepository ?? "(deleted)")" : ""
        return ForgeTrigger(
            event: event, commit: pull.headSHA, ref: "refs/heads/\(pull.headRef)", fetchRef: fetchRef,
            cloneURL: source, fromFork: pull.isFork, activity: pull.action.activityType,
            summary: "\(noun)\(pull.number) \(pull.action.rawValue): '\(pull.headRef)' into "
                + "'\(pull.baseRef)'\(fork)" + (pull.author.map { " by \($0)" } ?? ""))
    }
}
