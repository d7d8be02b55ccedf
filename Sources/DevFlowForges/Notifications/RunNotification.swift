import DevFlowWebhooks

/// What a notification says about a finished run, whatever the chat it goes to.
public struct RunNotification: Sendable, Equatable {
    /// Why people are told (the `on:` values of a notification in `devflow-server.yml`).
    public enum Outcome: String, Sendable, Codable, CaseIterable, Equatable {
        /// The run succeeded.
        case success
        /// The run failed.
        case failure
        /// The run succeeded after the previous run of the same ref failed.
        case recovery
        /// The run was cancelled.
        case cancelled

        /// The words of the headline: `succeeded`, `failed`, `recovered`, `was cancelled`.
        var verb: String {
            switch self {
            case .success: "succeeded"
            case .failure: "failed"
            case .recovery: "recovered"
            case .cancelled: "was cancelled"
            }
        }

        /// A sign that reads at a glance in every chat.
        var sign: String {
            switch self {
            case .success, .recovery: "✅"
            case .failure: "❌"
            case .cancelled: "⏹️"
            }
        }

        /// The card colour (hex RGB, no `#`).
        var color: String {
            switch self {
            case .success, .recovery: "2EB67D"
            case .failure: "E01E5A"
            case .cancelled: "868686"
            }
        }
    }

    /// The outcome.
    public var outcome: Outcome
    /// The repository's full name.
    public var repository: String
    /// What ran: `main`, `v1.2.0`, `pull request #42`.
    public var target: String
    /// The commit.
    public var commit: String
    /// The run's number in the store.
    public var run: Int
    /// The run's page, when the server has a public URL.
    public var url: String?
    /// Details in one or two lines: `test failed after 3 attempts; 4 of 5 steps succeeded`.
    public var summary: String

    /// Creates a notification.
    public init(
        outcome: Outcome, repository: String, target: String, commit: String, run: Int, url: String?,
        summary: String
    ) {
        self.outcome = outcome
        self.repository = repository
        self.target = target
        self.commit = commit
        self.run = run
        self.url = url
        self.summary = summary
    }

    /// `✅ acme/app main: run 12 succeeded`.
    public var headline: String {
        "\(outcome.sign) \(repository) \(target): run \(run) \(outcome.verb)"
    }

    /// The first 12 characters of the commit.
    var shortCommit: String { String(commit.prefix(12)) }
}
