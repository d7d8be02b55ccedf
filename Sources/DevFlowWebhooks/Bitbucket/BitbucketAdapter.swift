/// Bitbucket Cloud webhooks: `X-Hub-Signature` HMAC-SHA256, `X-Event-Key`, `X-Request-UUID`; `repo:push` (one or
/// more ref changes per delivery) and `pullrequest:*`. Bitbucket has no ping event.
public struct BitbucketAdapter: ForgeAdapter {
    /// `.bitbucket`.
    public var kind: ForgeKind { .bitbucket }

    /// Creates the adapter.
    public init() {}

    /// Checks `X-Hub-Signature: sha256=<hex>` over the raw body.
    public func verify(_ request: WebhookRequest, secret: String) throws(WebhookRejection) {
        try WebhookSignature.verifyHMAC(request, header: "X-Hub-Signature", forge: kind, secret: secret)
    }

    /// `repository.full_name`.
    public func repositoryName(of request: WebhookRequest) throws(WebhookRejection) -> String {
        try repository(request.body).full_name
    }

    /// Reads the delivery.
    public func parse(_ request: WebhookRequest) throws(WebhookRejection) -> ForgeDelivery {
        let deliveryID = try deliveryID(request)
        let eventName = try eventName(request)
        let repository = try repository(request.body)
        let event: ForgeEvent
        switch eventName {
        case "repo:push":
            event = push(try PayloadDecoding.decode(BitbucketPayload.Push.self, from: request.body, forge: kind))
        case "pullrequest:created", "pullrequest:updated":
            let payload = try PayloadDecoding.decode(
                BitbucketPayload.PullRequestEvent.self, from: request.body, forge: kind)
            event = pullRequest(
                payload.pullrequest, action: eventName == "pullrequest:created" ? .opened : .updated,
                baseRepository: repository.full_name)
        case "pullrequest:fulfilled", "pullrequest:rejected":
            let payload = try PayloadDecoding.decode(
                BitbucketPayload.PullRequestEvent.self, from: request.body, forge: kind)
            let how = eventName == "pullrequest:fulfilled" ? "merged" : "declined"
            event = .ignored(
                reason: "pull request #\(payload.pullrequest.id) was \(how); closed pull requests do not run")
        default:
            event = .ignored(
                reason: "Bitbucket event '\(eventName)' does not run pipelines; DevFlow runs on repo:push, "
                    + "pullrequest:created and pullrequest:updated")
        }
        return ForgeDelivery(
            forge: kind, deliveryID: deliveryID, eventName: eventName, repository: repository.full_name,
            cloneURL: repository.cloneURL, event: event)
    }

    func repository(_ body: [UInt8]) throws(WebhookRejection) -> BitbucketPayload.Repository {
        guard
            let repository = try PayloadDecoding.decode(BitbucketPayload.Envelope.self, from: body, forge: kind)
                .repository
        else {
            throw .malformed("payload has no repository.full_name: add the webhook to the repository")
        }
        return repository
    }

    func push(_ payload: BitbucketPayload.Push) -> ForgeEvent {
        var pushes: [PushEvent] = []
        var skipped: [String] = []
        for change in payload.push.changes {
            guard let state = change.new ?? change.old else { continue }
            let refKind: PushEvent.RefKind
            switch state.type {
            case "branch", "named_branch": refKind = .branch
            case "tag", "annotated_tag": refKind = .tag
            default:
                skipped.append("\(state.type) '\(state.name)'")
                continue
            }
            let prefix = refKind == .branch ? "refs/heads/" : "refs/tags/"
            pushes.append(
                PushEvent(
                    ref: prefix + state.name, refKind: refKind, refName: state.name,
                    before: change.old?.target.hash ?? PushEvent.zeroSHA,
                    after: change.new?.target.hash ?? PushEvent.zeroSHA,
                    created: change.created ?? (change.old == nil), deleted: change.closed ?? (change.new == nil),
                    pusher: payload.actor?.name, headCommitTimestamp: change.new?.target.date,
                    headCommitMessage: change.new?.target.message, changedPaths: nil))
        }
        guard !pushes.isEmpty else {
            let what = skipped.isEmpty ? "no ref changes" : "only \(skipped.joined(separator: ", "))"
            return .ignored(reason: "push with \(what); DevFlow runs on branches and tags")
        }
        return .push(pushes)
    }

    func pullRequest(
        _ pull: BitbucketPayload.PullRequest, action: PullRequestEvent.Action, baseRepository: String
    ) -> ForgeEvent {
        let base = pull.destination.repository?.full_name ?? baseRepository
        return .pullRequest(
            PullRequestEvent(
                action: action, number: pull.id, title: pull.title, headRef: pull.source.branch.name,
                headSHA: pull.source.commit.hash, baseRef: pull.destination.branch.name,
                baseSHA: pull.destination.commit.hash, headRepository: pull.source.repository?.full_name,
                headCloneURL: pull.source.repository?.cloneURL, isFork: pull.source.repository?.full_name != base,
                author: pull.author?.name, url: pull.links?.html?.href))
    }
}
