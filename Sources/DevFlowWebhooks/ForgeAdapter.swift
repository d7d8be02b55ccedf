/// One forge's webhook dialect: how a delivery is authenticated and how its payload reads. Each forge has its
/// adapter in its own folder; `Forges` picks one by `ForgeKind`.
public protocol ForgeAdapter: Sendable {
    /// The forge this adapter speaks for.
    var kind: ForgeKind { get }

    /// Checks that `request` was sent by someone who knows `secret`; throws `unsigned` when it carries no proof,
    /// `forged` when the proof is wrong.
    func verify(_ request: WebhookRequest, secret: String) throws(WebhookRejection)

    /// The repository full name the payload names, read before anything is trusted so that the server can pick the
    /// repository's secret; throws `malformed` when there is none.
    func repositoryName(of request: WebhookRequest) throws(WebhookRejection) -> String

    /// Reads the delivery: its id, event, repository and what happened. Does not check authenticity.
    func parse(_ request: WebhookRequest) throws(WebhookRejection) -> ForgeDelivery
}

extension ForgeAdapter {
    /// The delivery id from the first of `kind.deliveryHeaders` that is present.
    func deliveryID(_ request: WebhookRequest) throws(WebhookRejection) -> String {
        for header in kind.deliveryHeaders {
            if let value = request.nonEmptyHeader(header) { return value }
        }
        let names = kind.deliveryHeaders.joined(separator: " or ")
        throw .malformed("missing header \(names): \(kind.displayName) sends it with every delivery")
    }

    /// The event header's value.
    func eventName(_ request: WebhookRequest) throws(WebhookRejection) -> String {
        guard let value = request.nonEmptyHeader(kind.eventHeader) else {
            throw .malformed(
                "missing header \(kind.eventHeader): \(kind.displayName) names the event in it; is this hook "
                    + "pointed at the right path (/hooks/\(kind.rawValue))?")
        }
        return value
    }
}

/// The entry points the server calls: pick the adapter of a forge, verify, parse.
public enum Forges {
    /// The adapter of `forge`.
    public static func adapter(for forge: ForgeKind) -> any ForgeAdapter {
        switch forge {
        case .github: GitHubAdapter()
        case .gitlab: GitLabAdapter()
        case .bitbucket: BitbucketAdapter()
        }
    }

    /// Checks `request`'s signature or token against `secret` in constant time.
    public static func verify(_ request: WebhookRequest, forge: ForgeKind, secret: String) throws(WebhookRejection) {
        try adapter(for: forge).verify(request, secret: secret)
    }

    /// The repository full name in `request`'s payload, to look up its configuration and secret.
    public static func repositoryName(of request: WebhookRequest, forge: ForgeKind) throws(WebhookRejection)
        -> String
    {
        try adapter(for: forge).repositoryName(of: request)
    }

    /// Reads `request` without checking authenticity (call `verify` first, or use `receive`).
    public static func parse(_ request: WebhookRequest, forge: ForgeKind) throws(WebhookRejection) -> ForgeDelivery {
        try adapter(for: forge).parse(request)
    }

    /// The whole intake in the right order: read the repository name, look up its secret with `secret` (nil: the
    /// repository is not configured, `unknownRepository`), verify, then parse.
    public static func receive(
        _ request: WebhookRequest, forge: ForgeKind, secret: (_ repository: String) -> String?
    ) throws(WebhookRejection) -> ForgeDelivery {
        let adapter = adapter(for: forge)
        let repository = try adapter.repositoryName(of: request)
        guard let key = secret(repository) else {
            throw .unknownRepository(
                "no \(forge.rawValue) repository '\(repository)' is configured; add it to repositories in "
                    + "devflow-server.yml (name: \(repository), forge: \(forge.rawValue))")
        }
        try adapter.verify(request, secret: key)
        return try adapter.parse(request)
    }

    /// `sha256=<hex HMAC-SHA256 of body keyed with secret>`: the value GitHub sends in `X-Hub-Signature-256` and
    /// Bitbucket Cloud in `X-Hub-Signature` (for tests and tools that send hooks).
    public static func signature(of body: [UInt8], secret: String) -> String {
        "sha256=" + WebhookSignature.hexHMAC(body, secret: secret)
    }
}
