import DevFlowDiagnostics

/// `devflow-server.yml`: what `devflow serve` listens on, where it keeps its data, and the repositories it runs.
/// Read with DevFlow's YAML front end and checked like a pipeline (every problem at once, spans, did-you-mean).
public struct ServerConfiguration: Sendable, Equatable {
    /// `HOST:PORT` to listen on.
    public var listen: String = "127.0.0.1:8080"
    /// The server's address as people reach it (links in commit statuses and notifications).
    public var publicURL: String?
    /// Mirrors and workspaces.
    public var data: String = ".devflow/server"
    /// The store: a SQLite path, or a `postgres://user:password@host:port/database` URL shared by several servers and
    /// workers.
    public var db: String?
    /// In-process workers: the runs this process executes at once (0: it only accepts webhooks).
    public var workers: Int = 2
    /// The step processes this process runs at once across all its runs (nil: twice `workers`, at most 64); steps
    /// that wait on the network (`uses: llm`) take none.
    public var processes: Int?
    /// The worker labels of this server's workers (besides its system and architecture), for `runs_on:`.
    public var labels: [String] = []
    /// Seconds a claim lasts without a renewal: a worker renews every third of it, and a run whose worker stops
    /// renewing is resumed elsewhere after it.
    public var leaseSeconds: Int = 30
    /// Seconds running steps get to finish on SIGTERM before they are cancelled.
    public var shutdownGraceSeconds: Int = 30
    /// The largest webhook body accepted, in bytes (413 past it).
    public var maxBodyBytes: Int = 5 * 1024 * 1024
    /// The repositories served, by their forge's full name.
    public var repositories: [Repository] = []
    /// Variables of the server's own environment that steps may see (never all of them).
    public var stepEnv: [String] = []
    /// `PATH` for steps.
    public var stepPath: String = "/usr/local/bin:/usr/bin:/bin"
    /// `HOME` for steps (default: the run's workspace).
    public var stepHome: String?
    /// Incoming-webhook notifications.
    public var notifications: [Notification] = []
    /// The API's rate limits.
    public var api = APISettings()

    /// `api:`: token buckets per API token and, for calls without a valid token, per client address.
    public struct APISettings: Sendable, Equatable {
        /// Requests per second a token may make, sustained.
        public var rateLimit: Double = 50
        /// Requests a token may make at once.
        public var burst: Int = 200
        /// Requests per second an address without a valid token may make.
        public var anonymousRateLimit: Double = 5
        /// Requests such an address may make at once.
        public var anonymousBurst: Int = 20

        /// The defaults.
        public init() {}
    }

    /// Creates a configuration with the defaults.
    public init() {}

    /// The runs one process may execute at once (`workers:`, `devflow worker --slots`): each waits mostly on its
    /// steps, so thousands fit in one process; a slot has its own workspaces.
    public static let workerRange = 0...10_000
    /// The step processes one process may run at once (`processes:`).
    public static let processRange = 1...1_024

    /// The step processes run at once: `processes`, or twice `workers` (each run's `-j 2`), at most 64.
    public var effectiveProcesses: Int { processes ?? min(64, max(2, 2 * workers)) }

    /// The forges DevFlow receives webhooks from.
    public enum Forge: String, Sendable, CaseIterable, Codable {
        /// GitHub (`X-Hub-Signature-256`).
        case github
        /// GitLab (`X-Gitlab-Token`).
        case gitlab
        /// Bitbucket Cloud (`X-Hub-Signature`).
        case bitbucket
    }

    /// Whether pull requests from forks run.
    public enum ForkPolicy: String, Sendable, CaseIterable, Codable {
        /// Never.
        case never
        /// Yes, with no secret reaching any step (the default).
        case withoutSecrets = "without_secrets"
        /// Yes, with the repository's secrets (only for trusted contributors).
        case always
    }

    /// A secret's source: never a literal in the file.
    public enum SecretSource: Sendable, Equatable {
        /// An environment variable of the server.
        case env(String)
        /// A file's contents (trailing newline removed).
        case file(String)
    }

    /// One repository.
    public struct Repository: Sendable, Equatable {
        /// The forge's full name (`acme/app`).
        public var name: String
        /// Its forge.
        public var forge: Forge
        /// Where to clone from: `https://…`, `file:///…` or a local path.
        public var cloneURL: String
        /// The branch schedules run on.
        public var defaultBranch: String = "main"
        /// The pipeline file in the repository.
        public var pipeline: String = ".devflow.yml"
        /// The webhook secret (GitHub and Bitbucket sign with it; GitLab sends it as its token).
        public var webhookSecret: SecretSource
        /// A token for HTTPS clones.
        public var cloneToken: SecretSource?
        /// The forge's API for commit statuses (`https://api.github.com`).
        public var statusAPI: String?
        /// The token for commit statuses.
        public var statusToken: SecretSource?
        /// `NAME=value` lines with the repository's secrets.
        public var secretsFile: String?
        /// Pull requests from forks.
        public var forks: ForkPolicy = .withoutSecrets

        /// Creates a repository entry.
        public init(name: String, forge: Forge, cloneURL: String, webhookSecret: SecretSource) {
            self.name = name
            self.forge = forge
            self.cloneURL = cloneURL
            self.webhookSecret = webhookSecret
        }
    }

    /// When a notification is sent.
    public enum NotificationTrigger: String, Sendable, CaseIterable, Codable {
        /// A run failed.
        case failure
        /// A run succeeded after the previous run of its pipeline and branch failed.
        case recovery
        /// Every successful run.
        case success
    }

    /// Where notifications go.
    public enum NotificationKind: String, Sendable, CaseIterable, Codable {
        /// A Slack incoming webhook.
        case slack
        /// A Microsoft Teams incoming webhook.
        case teams
        /// A Discord webhook.
        case discord
    }

    /// One incoming-webhook notification.
    public struct Notification: Sendable, Equatable {
        /// The service.
        public var kind: NotificationKind
        /// The webhook URL (a secret: it authorises posting).
        public var url: SecretSource
        /// When to send.
        public var on: [NotificationTrigger]

        /// Creates a notification.
        public init(kind: NotificationKind, url: SecretSource, on: [NotificationTrigger]) {
            self.kind = kind
            self.url = url
            self.on = on
        }
    }

    /// The repository with this full name.
    public func repository(named name: String) -> Repository? { repositories.first { $0.name == name } }
}
