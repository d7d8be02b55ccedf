import Foundation

/// GitHub webhooks: `X-Hub-Signature-256` HMAC, `X-GitHub-Event`, `X-GitHub-Delivery`; `ping`, `push` and
/// `pull_request` events. Bodies sent as `application/x-www-form-urlencoded` (`payload=…`) are read too.
public struct GitHubAdapter: ForgeAdapter {
    /// `.github`.
    public var kind: ForgeKind { .github }

    /// Creates the adapter.
    public init() {}

    /// Checks `X-Hub-Signature-256: sha256=<hex>` over the raw body.
    public func verify(_ request: WebhookRequest, secret: String) throws(WebhookRejection) {
        try WebhookSignature.verifyHMAC(request, header: "X-Hub-Signature-256", forge: kind, secret: secret)
    }

    /// `repository.full_name`.
    public func repositoryName(of request: WebhookRequest) throws(WebhookRejection) -> String {
        let envelope = try PayloadDecoding.decode(GitHubPayload.Envelope.self, from: json(request), forge: kind)
        guard let repository = envelope.repository else {
            throw .malformed(
                "payload has no repository.full_name: organization, app and marketplace hooks are not supported; "
                    + "add the webhook to the repository")
        }
        return repository.full_name
    }

    /// Reads the delivery.
    public func parse(_ request: WebhookRequest) throws(WebhookRejection) -> ForgeDelivery {
        let deliveryID = try deliveryID(request)
        let eventName = try eventName(request)
        let body = try json(request)
        let repository = try PayloadDecoding.decode(GitHubPayload.Envelope.self, from: body, forge: kind).repository
        guard let repository else {
            throw .malformed("payload has no repository.full_name: add the webhook to the repository")
        }
        let event: ForgeEvent
        switch eventName {
        case "ping":
            event = .ping(zen: try PayloadDecoding.decode(GitHubPayload.Ping.self, from: body, forge: kind).zen)
        case "push":
            event = push(try PayloadDecoding.decode(GitHubPayload.Push.self, from: body, forge: kind))
        case "pull_request":
            let payload = try PayloadDecoding.decode(GitHubPayload.PullRequestEvent.self, from: body, forge: kind)
            event = pullRequest(payload, baseRepository: repository.full_name)
        default:
            event = .ignored(
                reason: "GitHub event '\(eventName)' does not run pipelines; DevFlow runs on push and pull_request")
        }
        return ForgeDelivery(
            forge: kind, deliveryID: deliveryID, eventName: eventName, repository: repository.full_name,
            cloneURL: repository.clone_url, event: event)
    }

    func push(_ payload: GitHubPayload.Push) -> ForgeEvent {
        guard let (refKind, refName) = PushEvent.split(ref: payload.ref) else {
            return .ignored(reason: "push to '\(payload.ref)', which is neither a branch nor a tag")
        }
        let created = payload.created ?? PushEvent.isZero(payload.before)
        let deleted = payload.deleted ?? PushEvent.isZero(payload.after)
        var paths: [String]?
        if !created, !deleted, let commits = payload.commits, !commits.isEmpty,
            commits.count < GitHubPayload.maximumListedCommits
        {
            paths = Array(Set(commits.flatMap { ($0.added ?? []) + ($0.modified ?? []) + ($0.removed ?? []) }))
                .sorted()
        }
        return .push([
            PushEvent(
                ref: payload.ref, refKind: refKind, refName: refName, before: payload.before, after: payload.after,
                commit: deleted ? nil : payload.head_commit?.id, created: created, deleted: deleted,
                pusher: payload.pusher?.name ?? payload.sender?.login,
                headCommitTimestamp: payload.head_commit?.timestamp, headCommitMessage: payload.head_commit?.message,
                changedPaths: paths)
        ])
    }

    func pullRequest(_ payload: GitHubPayload.PullRequestEvent, baseRepository: String) -> ForgeEvent {
        let number = payload.number
        let action: PullRequestEvent.Action
        switch payload.action {
        case "opened": action = .opened
        case "reopened": action = .reopened
        case "synchronize": action = .updated
        case "ready_for_review": action = .readyForReview
        case "closed":
            let how = payload.pull_request.merged == true ? "merged" : "closed without merging"
            return .ignored(reason: "pull request #\(number) was \(how); closed pull requests do not run")
        case "edited":
            return .ignored(
                reason: "pull request #\(number) was edited (title, body or base); only new commits (synchronize) run")
        default:
            return .ignored(
                reason: "pull request #\(number) action '\(payload.action)' does not run; "
                    + "opened, reopened, synchronize and ready_for_review do")
        }
        let pull = payload.pull_request
        let base = pull.base.repo?.full_name ?? baseRepository
        return .pullRequest(
            PullRequestEvent(
                action: action, number: number, title: pull.title, headRef: pull.head.ref, headSHA: pull.head.sha,
                baseRef: pull.base.ref, baseSHA: pull.base.sha, headRepository: pull.head.repo?.full_name,
                headCloneURL: pull.head.repo?.clone_url, isFork: pull.head.repo?.full_name != base,
                author: pull.user?.login, url: pull.html_url))
    }

    /// The JSON body: the raw body, or the `payload` field of a form-encoded one.
    func json(_ request: WebhookRequest) throws(WebhookRejection) -> [UInt8] {
        let type = request.header("Content-Type")?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else { return request.body }
        let form = String(decoding: request.body, as: UTF8.self)
        for field in form.split(separator: "&") where field.hasPrefix("payload=") {
            let encoded = field.dropFirst("payload=".count).replacingOccurrences(of: "+", with: " ")
            guard let decoded = encoded.removingPercentEncoding else {
                throw .malformed("the form field 'payload' is not valid percent-encoding")
            }
            return Array(decoded.utf8)
        }
        throw .malformed(
            "form-encoded body has no 'payload' field; \(PayloadDecoding.contentTypeAdvice)")
    }
}
