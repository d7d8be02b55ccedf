import DevFlowAPIRequests
import DevFlowStore
import Hummingbird
import NIOCore

/// The context of one request to `devflow serve`: Hummingbird's core context, the client's address, and the API
/// token the request authenticated with (set by `APIAuthMiddleware`).
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The client's address, when the channel has one.
    let remoteAddress: SocketAddress?
    /// The token of an authenticated API request.
    var token: APITokenRecord?
    /// The dashboard session cookie's value of a signed-in page request.
    var session: String?

    /// Creates the context for a request on `source`'s channel.
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        token = nil
        session = nil
    }

    /// The client's address as the audit log and rate limits key it (`local` when the channel has none).
    var clientAddress: String { remoteAddress?.ipAddress ?? "local" }

    /// Fails with 403 unless the request's token grants `role`.
    func require(_ role: APIRole) throws(APIError) {
        guard let token else { throw .unauthenticated("this endpoint needs an API token") }
        guard token.role >= role else {
            throw APIError(
                .forbidden, code: "forbidden",
                message: "token '\(token.name)' has role \(token.role.rawValue); this needs \(role.rawValue) or above",
                details: ["required_role": .string(role.rawValue), "token_role": .string(token.role.rawValue)])
        }
    }

    /// Who the audit log says acted.
    var actor: String { token?.name ?? "anonymous" }
}
