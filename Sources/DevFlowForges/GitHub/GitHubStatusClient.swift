import DevFlowGraph
import DevFlowWebhooks

/// GitHub commit statuses: `POST {api}/repos/{owner}/{repo}/statuses/{sha}` with `state`
/// (pending | success | failure | error), `target_url`, `description` and `context`
/// (docs.github.com/rest/commits/statuses).
public struct GitHubStatusClient: CommitStatusClient {
    /// `https://api.github.com` (GitHub Enterprise Server: `https://HOST/api/v3`).
    public static let defaultAPI = "https://api.github.com"

    /// The API base URL.
    public var api: String
    /// The breaker name of the calls.
    public var name: String
    let token: String
    let sender: OutboundSender

    /// Creates a client; `token` is sent as `Authorization: Bearer` and never shown.
    public init(api: String = GitHubStatusClient.defaultAPI, token: String, sender: OutboundSender, name: String? = nil)
    {
        self.api = api
        self.token = token
        self.sender = sender
        self.name = name ?? "github status"
    }

    /// `.github`.
    public var forge: ForgeKind { .github }

    /// GitHub's state for `state`: running is `pending`, cancelled is `error` (GitHub has no cancelled state).
    public static func wireState(_ state: CommitState) -> String {
        switch state {
        case .pending, .running: "pending"
        case .success: "success"
        case .failure: "failure"
        case .error, .cancelled: "error"
        }
    }

    /// The request for `status`.
    public func request(for status: CommitStatus) throws(OutboundFailure) -> OutboundRequest {
        guard let (owner, repo) = status.ownerAndName else {
            throw OutboundFailure(.rejected, "\(name): '\(status.repository)' is not 'owner/repository'")
        }
        try StatusURL.check(sha: status.sha, call: name)
        let url =
            "\(StatusURL.base(api))/repos/\(StatusURL.segment(owner))/\(StatusURL.segment(repo))/statuses/\(status.sha)"
        let body = JSONValue.object([
            "state": .string(Self.wireState(status.state)), "target_url": .string(status.targetURL),
            "description": .string(status.description(limit: 140)), "context": .string(status.context),
        ])
        return .json(
            url: url, body: body.compactJSON,
            extraHeaders: [
                (name: "Accept", value: "application/vnd.github+json"),
                (name: "X-GitHub-Api-Version", value: "2022-11-28"),
                (name: "Authorization", value: "Bearer \(token)"),
            ])
    }

    /// Posts `status`.
    public func post(_ status: CommitStatus) async throws(OutboundFailure) {
        _ = try await sender.send(try request(for: status), name: name, secrets: [token])
    }
}
