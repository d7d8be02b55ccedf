/// A pull request (GitLab: merge request) that DevFlow may run on.
public struct PullRequestEvent: Sendable, Codable, Equatable {
    /// What happened to it. Closed and merged pull requests and edits that change no code are `ForgeEvent.ignored`.
    public enum Action: String, Sendable, Codable, Equatable, CaseIterable {
        /// Opened (GitHub `opened`, GitLab `open`, Bitbucket `pullrequest:created`).
        case opened
        /// Reopened (GitHub `reopened`, GitLab `reopen`).
        case reopened
        /// New commits (GitHub `synchronize`, GitLab `update` with `oldrev`, Bitbucket `pullrequest:updated`).
        case updated
        /// A draft was marked ready for review (GitHub `ready_for_review`).
        case readyForReview = "ready_for_review"

        /// The activity type of `on.pull_request.types` this action is: `opened`, `reopened`, `synchronize` or
        /// `ready_for_review`.
        public var activityType: String {
            switch self {
            case .opened: "opened"
            case .reopened: "reopened"
            case .updated: "synchronize"
            case .readyForReview: "ready_for_review"
            }
        }
    }

    /// What happened.
    public var action: Action
    /// The number people see (GitHub `number`, GitLab `iid`, Bitbucket `id`).
    public var number: Int
    /// The title.
    public var title: String
    /// The source branch.
    public var headRef: String
    /// The source commit (Bitbucket sends a 12-character abbreviation).
    public var headSHA: String
    /// The target branch.
    public var baseRef: String
    /// The target commit, when the payload gives it (GitLab does not).
    public var baseSHA: String?
    /// The source repository's full name; nil when the fork is gone.
    public var headRepository: String?
    /// The source repository's HTTPS clone URL, when known.
    public var headCloneURL: String?
    /// Whether the source repository differs from the target repository (a fork, or a deleted fork).
    public var isFork: Bool
    /// Who opened it (login, username or nickname), when known.
    public var author: String?
    /// The pull request's web page, when known.
    public var url: String?

    /// Creates a pull request event.
    public init(
        action: Action, number: Int, title: String, headRef: String, headSHA: String, baseRef: String,
        baseSHA: String?, headRepository: String?, headCloneURL: String?, isFork: Bool, author: String?,
        url: String? = nil
    ) {
        self.action = action
        self.number = number
        self.title = title
        self.headRef = headRef
        self.headSHA = headSHA
        self.baseRef = baseRef
        self.baseSHA = baseSHA
        self.headRepository = headRepository
        self.headCloneURL = headCloneURL
        self.isFork = isFork
        self.author = author
        self.url = url
    }
}
