/// One webhook delivery, understood: which forge sent it, its id for deduplication, the repository and the event.
public struct ForgeDelivery: Sendable, Codable, Equatable {
    /// The forge that sent it.
    public var forge: ForgeKind
    /// The delivery id the server deduplicates on (`X-GitHub-Delivery`, GitLab's `Idempotency-Key` or
    /// `X-Gitlab-Event-UUID`, Bitbucket's `X-Request-UUID`).
    public var deliveryID: String
    /// The event header as sent: `push`, `pull_request`, `Merge Request Hook`, `repo:push`…
    public var eventName: String
    /// The repository's full name as the forge spells it (`acme/app`, `group/sub/app`, `workspace/app`): the key of
    /// `repositories[].name` in `devflow-server.yml`.
    public var repository: String
    /// The repository's HTTPS clone URL, when the payload gives one (Bitbucket's is derived from its web link).
    public var cloneURL: String?
    /// What happened.
    public var event: ForgeEvent

    /// Creates a delivery.
    public init(
        forge: ForgeKind, deliveryID: String, eventName: String, repository: String, cloneURL: String?,
        event: ForgeEvent
    ) {
        self.forge = forge
        self.deliveryID = deliveryID
        self.eventName = eventName
        self.repository = repository
        self.cloneURL = cloneURL
        self.event = event
    }
}

/// What a delivery reports.
public enum ForgeEvent: Sendable, Equatable, Codable {
    /// A hook was just created or tested (GitHub `ping`; GitLab and Bitbucket have none). `zen` is GitHub's saying.
    case ping(zen: String?)
    /// Refs were updated. GitHub and GitLab send one ref per delivery; Bitbucket Cloud may send several in one
    /// (`git push --follow-tags` of a branch and its tag), hence a list, in the payload's order, never empty.
    case push([PushEvent])
    /// A pull request (merge request) was opened, reopened, got new commits or became ready for review.
    case pullRequest(PullRequestEvent)
    /// Authentic, understood, and not a reason to run: a closed or merged pull request, a title edit, an event
    /// DevFlow does not run on. The reason names it, for the delivery record.
    case ignored(reason: String)

    enum CodingKeys: String, CodingKey {
        case kind, zen, pushes
        case pullRequest = "pull_request"
        case reason
    }

    /// The kind in the encoded form: `ping`, `push`, `pull_request` or `ignored`.
    public var kind: String {
        switch self {
        case .ping: "ping"
        case .push: "push"
        case .pullRequest: "pull_request"
        case .ignored: "ignored"
        }
    }

    /// Decodes `{"kind": "push", "pushes": […]}`, `{"kind": "pull_request", "pull_request": {…}}`,
    /// `{"kind": "ping", "zen": …}` or `{"kind": "ignored", "reason": …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "ping": self = .ping(zen: try container.decodeIfPresent(String.self, forKey: .zen))
        case "push": self = .push(try container.decode([PushEvent].self, forKey: .pushes))
        case "pull_request": self = .pullRequest(try container.decode(PullRequestEvent.self, forKey: .pullRequest))
        case "ignored": self = .ignored(reason: try container.decode(String.self, forKey: .reason))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "unknown event kind '\(kind)'; expected ping, push, pull_request or ignored")
        }
    }

    /// Encodes the form `init(from:)` reads.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .ping(let zen): try container.encodeIfPresent(zen, forKey: .zen)
        case .push(let pushes): try container.encode(pushes, forKey: .pushes)
        case .pullRequest(let pullRequest): try container.encode(pullRequest, forKey: .pullRequest)
        case .ignored(let reason): try container.encode(reason, forKey: .reason)
        }
    }
}
