import Crypto
import DevFlowGraph
import DevFlowWebhooks

/// Bitbucket Cloud build statuses: `POST {api}/2.0/repositories/{workspace}/{repo}/commit/{sha}/statuses/build`
/// with `key`, `state` (INPROGRESS | SUCCESSFUL | FAILED | STOPPED), `url`, `name` and `description`, authenticated
/// with `Authorization: Bearer` (developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses).
public struct BitbucketStatusClient: CommitStatusClient {
    /// `https://api.bitbucket.org`.
    public static let defaultAPI = "https://api.bitbucket.org"
    /// Bitbucket keys are at most 40 characters.
    static let maximumKeyLength = 40

    /// The API base URL, without `/2.0`.
    public var api: String
    /// The breaker name of the calls.
    public var name: String
    let token: String
    let sender: OutboundSender

    /// Creates a client; `token` (a repository, project or workspace access token) is sent as `Authorization:
    /// Bearer` and never shown.
    public init(
        api: String = BitbucketStatusClient.defaultAPI, token: String, sender: OutboundSender, name: String? = nil
    ) {
        self.api = api
        self.token = token
        self.sender = sender
        self.name = name ?? "bitbucket status"
    }

    /// `.bitbucket`.
    public var forge: ForgeKind { .bitbucket }

    /// Bitbucket's state for `state`: pending and running are `INPROGRESS`, cancelled is `STOPPED`.
    public static func wireState(_ state: CommitState) -> String {
        switch state {
        case .pending, .running: "INPROGRESS"
        case .success: "SUCCESSFUL"
        case .failure, .error: "FAILED"
        case .cancelled: "STOPPED"
        }
    }

    /// The status key for `context`: itself when it fits in 40 characters, else its first 31 characters, `-` and 8
    /// hexadecimal digits of its SHA-256, so that long contexts stay distinct.
    public static func key(for context: String) -> String {
        guard context.count > maximumKeyLength else { return context }
        let digest = SHA256.hash(data: Array(context.utf8)).prefix(4).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
        return String(context.prefix(31)) + "-" + digest
    }

    /// The request for `status`.
    public func request(for status: CommitStatus) throws(OutboundFailure) -> OutboundRequest {
        guard let (workspace, repo) = status.ownerAndName else {
            throw OutboundFailure(.rejected, "\(name): '\(status.repository)' is not 'workspace/repository'")
        }
        try StatusURL.check(sha: status.sha, call: name)
        let url =
            "\(StatusURL.base(api))/2.0/repositories/\(StatusURL.segment(workspace))/\(StatusURL.segment(repo))"
            + "/commit/\(status.sha)/statuses/build"
        let body = JSONValue.object([
            "key": .string(Self.key(for: status.context)), "state": .string(Self.wireState(status.state)),
            "url": .string(status.targetURL), "name": .string(status.context),
            "description": .string(status.description(limit: 255)),
        ])
        return .json(
            url: url, body: body.compactJSON,
            extraHeaders: [
                (name: "Accept", value: "application/json"), (name: "Authorization", value: "Bearer \(token)"),
            ])
    }

    /// Posts `status`.
    public func post(_ status: CommitStatus) async throws(OutboundFailure) {
        _ = try await sender.send(try request(for: status), name: name, secrets: [token])
    }
}
