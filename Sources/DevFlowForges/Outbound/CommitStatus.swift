import DevFlowWebhooks
import Foundation

/// A run's state as a commit status, in DevFlow's words; each forge client maps it to its own vocabulary.
public enum CommitState: String, Sendable, Codable, CaseIterable, Equatable {
    /// Queued, not started.
    case pending
    /// Running.
    case running
    /// Finished, every required step succeeded.
    case success
    /// Finished, a step failed.
    case failure
    /// Could not run: the pipeline does not compile at that commit, or the run was interrupted.
    case error
    /// Cancelled by a person or a newer run.
    case cancelled
}

/// One commit status to post: the commit, its state, and the link to the run.
public struct CommitStatus: Sendable, Equatable {
    /// The repository's full name (`acme/app`, `group/sub/app`, `workspace/app`).
    public var repository: String
    /// The full commit sha.
    public var sha: String
    /// The state.
    public var state: CommitState
    /// The status's name on the forge (GitHub `context`, GitLab `name`, Bitbucket `name` and `key`):
    /// `devflow/ci`.
    public var context: String
    /// One line for people, cut to the forge's limit (GitHub: 140 characters).
    public var description: String
    /// The run's page (Bitbucket requires one).
    public var targetURL: String

    /// Creates a status.
    public init(
        repository: String, sha: String, state: CommitState, context: String, description: String,
        targetURL: String
    ) {
        self.repository = repository
        self.sha = sha
        self.state = state
        self.context = context
        self.description = description
        self.targetURL = targetURL
    }

    /// `description` cut to `limit` characters, with an ellipsis when cut.
    func description(limit: Int) -> String {
        description.count <= limit ? description : String(description.prefix(limit - 1)) + "…"
    }

    /// `owner` and `name` of a two-part full name; nil when it has not exactly two non-empty parts.
    var ownerAndName: (String, String)? {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}

/// Posts commit statuses to one forge's API.
public protocol CommitStatusClient: Sendable {
    /// The forge.
    var forge: ForgeKind { get }
    /// The request `post` sends for `status`; `rejected` when the status cannot be addressed (a repository name
    /// that is not `owner/name`, a sha that is not hexadecimal).
    func request(for status: CommitStatus) throws(OutboundFailure) -> OutboundRequest
    /// Posts `status`, with the sender's retries and gate.
    func post(_ status: CommitStatus) async throws(OutboundFailure)
}

extension Forges {
    /// The status client of `forge` at `api` (`https://api.github.com`, `https://gitlab.com/api/v4`,
    /// `https://api.bitbucket.org`; nil: that default) with `token`, sending through `sender`.
    public static func statusClient(
        forge: ForgeKind, api: String?, token: String, sender: OutboundSender = OutboundSender()
    ) -> any CommitStatusClient {
        switch forge {
        case .github: GitHubStatusClient(api: api ?? GitHubStatusClient.defaultAPI, token: token, sender: sender)
        case .gitlab: GitLabStatusClient(api: api ?? GitLabStatusClient.defaultAPI, token: token, sender: sender)
        case .bitbucket:
            BitbucketStatusClient(api: api ?? BitbucketStatusClient.defaultAPI, token: token, sender: sender)
        }
    }
}

/// URL pieces shared by the status clients.
enum StatusURL {
    /// `api` without a trailing slash.
    static func base(_ api: String) -> String {
        var text = api
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// `text` percent-encoded as one path segment (a `/` becomes `%2F`).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Checks that `sha` is 7 to 64 hexadecimal digits.
    static func check(sha: String, call: String) throws(OutboundFailure) {
        guard (7...64).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
            throw OutboundFailure(.rejected, "\(call): '\(sha)' is not a commit sha")
        }
    }
}
