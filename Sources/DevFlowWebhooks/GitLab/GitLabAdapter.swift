/// GitLab webhooks: the `X-Gitlab-Token` shared secret, `X-Gitlab-Event`, `Idempotency-Key` (else
/// `X-Gitlab-Event-UUID`); `Push Hook`, `Tag Push Hook` and `Merge Request Hook`. GitLab has no ping: its
/// "Test" button sends a push.
public struct GitLabAdapter: ForgeAdapter {
    /// `.gitlab`.
    public var kind: ForgeKind { .gitlab }

    /// Creates the adapter.
    public init() {}

    /// Checks `X-Gitlab-Token`, which is the secret itself, in constant time.
    public func verify(_ request: WebhookRequest, secret: String) throws(WebhookRejection) {
        try WebhookSignature.verifyToken(request, header: "X-Gitlab-Token", forge: kind, secret: secret)
    }

    /// `project.path_with_namespace`.
    public func repositoryName(of request: WebhookRequest) throws(WebhookRejection) -> String {
        try project(request.body).path_with_namespace
    }

    /// Reads the delivery.
    public func parse(_ request: WebhookRequest) throws(WebhookRejection) -> ForgeDelivery {
        let deliveryID = try deliveryID(request)
        let eventName = try eventName(request)
        let project = try project(request.body)
        let event: ForgeEvent
        switch eventName {
        case "Push Hook", "Tag Push Hook":
            event = push(try PayloadDecoding.decode(GitLabPayload.Push.self, from: request.body, forge: kind))
        case "Merge Request Hook":
            let payload = try PayloadDecoding.decode(
                GitLabPayload.MergeRequestEvent.self, from: request.body, forge: kind)
            event = mergeRequest(payload, project: project)
        case "System Hook":
            event = .ignored(reason: "GitLab system hooks do not run pipelines; add a project webhook instead")
        default:
            event = .ignored(
                reason: "GitLab event '\(eventName)' does not run pipelines; DevFlow runs on Push Hook, "
                    + "Tag Push Hook and Merge Request Hook")
        }
        return ForgeDelivery(
            forge: kind, deliveryID: deliveryID, eventName: eventName, repository: project.path_with_namespace,
            cloneURL: project.git_http_url, event: event)
    }

    func project(_ body: [UInt8]) throws(WebhookRejection) -> GitLabPayload.Project {
        guard let project = try PayloadDecoding.decode(GitLabPayload.Envelope.self, from: body, forge: kind).project
        else {
            throw .malformed("payload has no project.path_with_namespace: add the webhook to the project")
        }
        return project
    }

    func push(_ payload: GitLabPayload.Push) -> ForgeEvent {
        guard let (refKind, refName) = PushEvent.split(ref: payload.ref) else {
            return .ignored(reason: "push to '\(payload.ref)', which is neither a branch nor a tag")
        }
        let created = PushEvent.isZero(payload.before)
        let deleted = PushEvent.isZero(payload.after)
        let commits = payload.commits ?? []
        var paths: [String]?
        if !created, !deleted, !commits.isEmpty, (payload.total_commits_count ?? commits.count) <= commits.count {
            paths = Array(Set(commits.flatMap { ($0.added ?? []) + ($0.modified ?? []) + ($0.removed ?? []) }))
                .sorted()
        }
        let head = commits.first { $0.id == (payload.checkout_sha ?? payload.after) }
        return .push([
            PushEvent(
                ref: payload.ref, refKind: refKind, refName: refName, before: payload.before, after: payload.after,
                commit: deleted ? nil : payload.checkout_sha, created: created, deleted: deleted,
                pusher: payload.user_username ?? payload.user_name,
                headCommitTimestamp: head?.timestamp, headCommitMessage: head?.message, changedPaths: paths)
        ])
    }

    func mergeRequest(_ payload: GitLabPayload.MergeRequestEvent, project: GitLabPayload.Project) -> ForgeEvent {
        let request = payload.object_attributes
        let number = request.iid
        let action: PullRequestEvent.Action
        switch request.action {
        case "open": action = .opened
        case "reopen": action = .reopened
        case "update" where request.oldrev != nil: action = .updated
        case "update":
            return .ignored(
                reason: "merge request !\(number) was updated without new commits (title, labels, description…); "
                    + "only new commits run")
        case "merge": return .ignored(reason: "merge request !\(number) was merged; closed merge requests do not run")
        case "close":
            return .ignored(reason: "merge request !\(number) was closed; closed merge requests do not run")
        case let other:
            return .ignored(
                reason: "merge request !\(number) action '\(other ?? "none")' does not run; open, reopen and "
                    + "update with new commits do")
        }
        let sourceName = request.source?.path_with_namespace
        let isFork: Bool
        if let source = request.source_project_id, let target = request.target_project_id ?? project.id {
            isFork = source != target
        } else {
            isFork = sourceName != project.path_with_namespace
        }
        return .pullRequest(
            PullRequestEvent(
                action: action, number: number, title: request.title, headRef: request.source_branch,
                headSHA: request.last_commit.id, baseRef: request.target_branch, baseSHA: nil,
                headRepository: sourceName, headCloneURL: request.source?.git_http_url, isFork: isFork,
                author: payload.user?.username ?? payload.user?.name, url: request.url))
    }
}
