import DevFlowGraph
import DevFlowWebhooks

/// GitLab commit statuses: `POST {api}/projects/{url-encoded full path}/statuses/{sha}` with `state`
/// (pending | running | success | failed | canceled), `name`, `target_url` and `description`, authenticated with
/// `PRIVATE-TOKEN` (docs.gitlab.com/api/commits, "Set the pipeline status of a commit").
public struct GitLabStatusClient: CommitStatusClient {
    /// `https://gitlab.com/api/v4`.
    public static let defaultAPI = "https://gitlab.com/api/v4"

    /// The API base URL, `/api/v4` included.
    public var api: String
    /// The breaker name of the calls.
    public var name: String
    let token: String
    let sender: OutboundSender

    /// Creates a client; `token` is sent as `PRIVATE-TOKEN` and never shown.
    public init(api: String = GitLabStatusClient.defaultAPI, token: String, sender: OutboundSender, name: String? = nil)
    {
        self.api = api
        self.token = token
        self.sender = sender
        self.name = name ?? "gitlab status"
    }

    /// `.gitlab`.
    public var forge: ForgeKind { .gitlab }

    /// GitLab's state for `state`: failure and error are `failed`, cancelled is `canceled`.
    public static func wireState(_ state: CommitState) -> String {
        switch state {
        case .pending: "pending"
        case .running: "running"
        case .success: "success"
        case .failure, .error: "failed"
        case .cancelled: "canceled"
        }
    }

    /// The request for `status`.
    public func request(for status: CommitStatus) throws(OutboundFailure) -> OutboundRequest {
        guard !status.repository.isEmpty, !status.repository.hasPrefix("/"), !status.repository.hasSuffix("/") else {
            throw OutboundFailure(.rejected, "\(name): '\(status.repository)' is not a project path")
        }
        try StatusURL.check(sha: status.sha, call: name)
        let url = "\(StatusURL.base(api))/projects/\(StatusURL.segment(status.repository))/statuses/\(status.sha)"
        let body = JSONValue.object([
            "state": .string(Self.wireState(status.state)), "name": .string(status.context),
            "target_url": .string(status.targetURL), "description": .string(status.description(limit: 255)),
        ])
        return .json(
            url: url, body: body.compactJSON,
            extraHeaders: [(name: "Accept", value: "application/json"), (name: "PRIVATE-TOKEN", value: token)])
    }

    /// Posts `status`.
    public func post(_ status: CommitStatus) async throws(OutboundFailure) {
        _ = try await sender.send(try request(for: status), name: name, secrets: [token])
    }
}
