/// A forge that sends webhooks to `devflow serve` and receives its commit statuses.
///
/// The raw value is the name used in `devflow-server.yml` (`forge: github`) and in the hook path
/// (`POST /hooks/github`).
public enum ForgeKind: String, Codable, CaseIterable, Sendable {
    /// GitHub (github.com or GitHub Enterprise Server).
    case github
    /// GitLab (gitlab.com or self-managed).
    case gitlab
    /// Bitbucket Cloud (bitbucket.org).
    case bitbucket

    /// The forge's name as people write it: `GitHub`, `GitLab`, `Bitbucket Cloud`.
    public var displayName: String {
        switch self {
        case .github: "GitHub"
        case .gitlab: "GitLab"
        case .bitbucket: "Bitbucket Cloud"
        }
    }

    /// The header that names the event (`X-GitHub-Event`, `X-Gitlab-Event`, `X-Event-Key`).
    public var eventHeader: String {
        switch self {
        case .github: "X-GitHub-Event"
        case .gitlab: "X-Gitlab-Event"
        case .bitbucket: "X-Event-Key"
        }
    }

    /// The headers that carry the delivery id, in order of preference.
    ///
    /// GitHub reuses `X-GitHub-Delivery` on a manual redelivery; GitLab's `Idempotency-Key` is stable across
    /// retries where `X-Gitlab-Event-UUID` is not; Bitbucket Cloud sends `X-Request-UUID`.
    public var deliveryHeaders: [String] {
        switch self {
        case .github: ["X-GitHub-Delivery"]
        case .gitlab: ["Idempotency-Key", "X-Gitlab-Event-UUID"]
        case .bitbucket: ["X-Request-UUID"]
        }
    }

    /// The header that proves authenticity (`X-Hub-Signature-256`, `X-Gitlab-Token`, `X-Hub-Signature`).
    public var authenticityHeader: String {
        switch self {
        case .github: "X-Hub-Signature-256"
        case .gitlab: "X-Gitlab-Token"
        case .bitbucket: "X-Hub-Signature"
        }
    }

    /// Where the secret is set on the forge, for messages that tell a person what to do.
    var secretSetting: String {
        switch self {
        case .github: "the webhook's Secret (Settings → Webhooks)"
        case .gitlab: "the webhook's Secret token (Settings → Webhooks)"
        case .bitbucket: "the webhook's Secret (Repository settings → Webhooks)"
        }
    }
}
