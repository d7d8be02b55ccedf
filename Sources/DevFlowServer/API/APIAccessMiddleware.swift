import DevFlowAPIRequests
import DevFlowStore
import Foundation
import Hummingbird

/// The gate of `/api/v1`: authenticates the `Authorization: Bearer` token (all but the OpenAPI document need one),
/// or, without that header, the dashboard's session cookie (whose unsafe requests must carry the page's CSRF token in
/// `X-CSRF-Token`), and charges the rate limit of the token, or of the client's address when there is no valid token. A missing,
/// unknown, expired or revoked token is a 401 that says which; an empty bucket is a 429 with `Retry-After`.
struct APIAccessMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let store: any APIStore
    let limiter: RateLimiter
    /// The dashboard's sessions, when the server has a dashboard.
    var sessions: DashboardSessions?
    /// Paths anyone may read.
    static let publicPaths: Set<String> = ["/api/v1/openapi.json"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let now = Date()
        var context = context
        var failure: APIError?
        if !Self.publicPaths.contains(request.uri.path) {
            do throws(APIError) {
                if request.headers[.authorization] == nil, let sessions,
                    let session = DashboardSessions.value(in: request)
                {
                    context.token = try authenticate(session: session, sessions: sessions, request: request, now: now)
                } else {
                    context.token = try authenticate(request.headers[.authorization], now: now)
                }
            } catch {
                failure = error
            }
        }
        let decision = limiter.take(
            key: context.token.map { "token:\($0.name)" } ?? "address:\(context.clientAddress)",
            authenticated: context.token != nil, now: now)
        guard decision.allowed else {
            var error = APIError(
                .tooManyRequests, code: "rate_limited",
                message:
                    "too many requests; retry in \(decision.retryAfter) s (the limit is \(decision.limit) per second)",
                details: ["retry_after": .number(Double(decision.retryAfter))])
            error.headers = decision.headers
            error.headers[.retryAfter] = String(decision.retryAfter)
            throw error
        }
        if var failure {
            for field in decision.headers { failure.headers.append(field) }
            throw failure
        }
        // Every answer carries the bucket's state, the handler's errors (403, 404, 409…) included.
        do {
            var response = try await next(request, context)
            for field in decision.headers { response.headers.append(field) }
            return response
        } catch var error as APIError {
            for field in decision.headers { error.headers.append(field) }
            throw error
        }
    }

    func authenticate(_ header: String?, now: Date) throws(APIError) -> APITokenRecord {
        do {
            return try authenticateToken(header, now: now)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(
                .serviceUnavailable, code: "store_unavailable", message: "the store cannot be read: \(error)")
        }
    }

    /// The token of a dashboard session; a 401 when the session is not valid, a 403 when an unsafe request lacks
    /// the session's CSRF token.
    func authenticate(session: String, sessions: DashboardSessions, request: Request, now: Date) throws(APIError)
        -> APITokenRecord
    {
        guard let hash = sessions.tokenHash(session: session, now: now) else {
            throw APIError.unauthenticated("the dashboard session has expired or is not valid; sign in again")
        }
        let token = try Self.token(
            hash: hash, in: store, now: now, unknown: "the session's token is not known to this server; sign in again")
        let safe: Set<HTTPRequest.Method> = [.get, .head, .options]
        if !safe.contains(request.method),
            !sessions.checkCSRF(request.headers[DashboardSessions.header], session: session)
        {
            throw APIError(
                .forbidden, code: "csrf_failed",
                message: "a request signed in through the dashboard must send the page's CSRF token as X-CSRF-Token "
                    + "(from <meta name=\"csrf-token\">); scripts should use `Authorization: Bearer TOKEN` instead")
        }
        return token
    }

    /// The token whose SHA-256 is `hash`, if it works at `now`: the one lookup of bearer tokens, dashboard sessions
    /// and the sign-in form. A 401 saying `unknown` when no token has that hash, or why the token no longer works;
    /// a 503 when the store cannot be read.
    static func token(hash: String, in store: any APIStore, now: Date, unknown: String) throws(APIError)
        -> APITokenRecord
    {
        let found: APITokenRecord?
        do {
            found = try store.token(hash: hash, usedAt: now)
        } catch {
            throw APIError(
                .serviceUnavailable, code: "store_unavailable", message: "the store cannot be read: \(error)")
        }
        guard let found, APITokens.constantTimeEqual(found.hash, hash) else { throw .unauthenticated(unknown) }
        return try usable(found, now: now)
    }

    /// `token` if it is neither revoked nor expired at `now`; otherwise a 401 that says which.
    static func usable(_ token: APITokenRecord, now: Date) throws(APIError) -> APITokenRecord {
        if token.revokedAt != nil {
            throw APIError.unauthenticated("token '\(token.name)' was revoked; ask an admin for a new one")
        }
        if let expiry = token.expiresAt, now >= expiry {
            throw APIError.unauthenticated(
                "token '\(token.name)' expired at \(StoredDate.iso8601(expiry)); ask an admin for a new one")
        }
        return token
    }

    private func authenticateToken(_ header: String?, now: Date) throws -> APITokenRecord {
        guard let header else {
            if try !store.hasValidTokens(at: now) {
                throw APIError.unauthenticated(
                    "this server has no API token yet; create one on its machine with "
                        + "`devflow tokens create NAME --role admin` and send it as `Authorization: Bearer TOKEN`")
            }
            throw APIError.unauthenticated("send an API token as `Authorization: Bearer TOKEN`")
        }
        guard let presented = APITokens.bearer(header) else {
            throw APIError.unauthenticated("the Authorization header must be `Bearer TOKEN`")
        }
        return try Self.token(
            hash: APITokens.hash(presented), in: store, now: now, unknown: "the token is not known to this server")
    }
}
