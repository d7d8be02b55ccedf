import DevFlowDashboard
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird

/// The gate of the dashboard's pages: a valid session puts its token in the context; without one a page is a 303 to
/// the sign-in form (which comes back to the page), and a form post is refused. Every form post must carry the
/// session's CSRF token.
struct DashboardAccess: RouterMiddleware {
    typealias Context = ServerRequestContext
    let store: any APIStore
    let sessions: DashboardSessions
    let pages: DashboardPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let now = Date()
        var token: APITokenRecord?
        let session = DashboardSessions.value(in: request)
        if let session, let hash = sessions.tokenHash(session: session, now: now) {
            do {
                token = try APIAccessMiddleware.token(hash: hash, in: store, now: now, unknown: "")
            } catch {
                guard error.status == .unauthorized else { throw error }
                token = nil  // unknown, revoked or expired: sign in again
            }
        }
        guard let session, let token else {
            if request.method == .get || request.method == .head {
                return DashboardPages.redirect(to: "/sign-in?next=" + Self.escape(Self.pathAndQuery(request)))
            }
            return pages.error(
                .unauthorized, heading: "Signed out",
                message: "Your session has ended. Sign in again and repeat what you did.", back: "/sign-in",
                frame: PageFrame(tokenName: nil, role: "", csrf: ""))
        }
        context.token = token
        context.session = session
        return try await next(request, context)
    }

    /// The request's path and query, for `next=`.
    static func pathAndQuery(_ request: Request) -> String {
        request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/"
    }
}

/// Answers HTML for what a browser asks outside the API and webhooks: a page for a path that does not exist.
struct DashboardNotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: DashboardPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        let ours =
            !(path.hasPrefix("/api/") || path.hasPrefix("/hooks/") || path == "/healthz" || path == "/readyz"
            || path == "/metrics")
        guard ours else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return pages.error(
                .notFound, heading: "Not found", message: "There is no page at \(path).", back: "/",
                frame: PageFrame(tokenName: nil, role: "", csrf: ""))
        }
    }
}
