import DevFlowAnalytics
import DevFlowDashboard
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard at `/`: sign-in, the runs list, a run, a node's log, breakers, DORA and insights, rendered from the
/// store by `DevFlowDashboard`; its scripts then follow `/api/v1/events` with the same session. Handlers only read
/// and write the store (a cancel is a request the worker acts on), like the API's.
struct DashboardController: Sendable {
    let context: ServerContext
    let sessions: DashboardSessions
    let pages: DashboardPages

    /// Reads the session key and parses the templates.
    init(context: ServerContext) throws {
        self.context = context
        let publicURL = context.settings.configuration.publicURL ?? ""
        sessions = try DashboardSessions(store: context.store, secure: publicURL.hasPrefix("https://"))
        pages = DashboardPages(renderer: try DashboardRenderer())
    }

    /// Adds the dashboard's routes.
    func register(on router: Router<ServerRequestContext>) {
        router.get("assets/:file") { request, context in self.asset(request, context) }
        router.get("sign-in") { request, _ in self.signInForm(request) }
        router.post("sign-in") { request, context in try await self.signIn(request, context) }
        router.post("sign-out") { request, context in try await self.signOut(request, context) }
        let pages = router.group().add(
            middleware: DashboardAccess(store: context.store, sessions: sessions, pages: self.pages))
        pages.get("/") { request, context in try self.runs(request, context) }
        pages.get("runs/:run") { _, context in try self.run(context) }
        pages.post("runs/:run/cancel") { request, context in try await self.cancel(request, context) }
        pages.get("runs/:run/nodes/:node/log") { _, context in try self.log(context) }
        pages.get("breakers") { _, context in try self.breakers(context) }
        pages.post("breakers/:name/:operation") { request, context in try await self.operate(request, context) }
        pages.get("dora") { request, context in try self.dora(request, context) }
        pages.get("insights") { request, context in try self.insights(request, context) }
    }

    /// The frame of a signed-in page.
    func frame(_ context: ServerRequestContext) -> PageFrame {
        PageFrame(
            tokenName: context.token?.name ?? "", role: context.token?.role.rawValue ?? "viewer",
            csrf: context.session.map(sessions.csrf) ?? "")
    }

    func role(_ context: ServerRequestContext) -> APIRole { context.token?.role ?? .viewer }

    // MARK: assets

    func asset(_ request: Request, _ context: ServerRequestContext) -> Response {
        guard let asset = DashboardResources.assets[context.path("file")] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"])
        }
        let versioned = request.uri.queryParameters.get("v") == DashboardResources.version
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag,
            .cacheControl: versioned ? "public, max-age=31536000, immutable" : "no-cache",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    // MARK: sign-in

    static let signedOut = PageFrame(tokenName: nil, role: "", csrf: "")

    func signInForm(_ request: Request) -> Response {
        pages.page(.signIn(next: Self.safeNext(request.uri.queryParameters.get("next"))), frame: Self.signedOut)
    }

    /// Checks the pasted token like the API does; on success a session cookie and a 303 to `next`.
    func signIn(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let form = try await Self.form(request, context)
        let next = Self.safeNext(form["next"])
        let refuse = { (message: String) in
            pages.page(.signIn(next: next, error: message), frame: Self.signedOut, status: .unauthorized)
        }
        guard let presented = form["token"]?.trimmingCharacters(in: .whitespacesAndNewlines), !presented.isEmpty else {
            return refuse("Paste a token to sign in.")
        }
        let now = Date()
        let token: APITokenRecord
        do {
            token = try APIAccessMiddleware.token(
                hash: APITokens.hash(presented), in: self.context.store, now: now,
                unknown: "This token is not known to this server. Check that you pasted all of it.")
        } catch {
            guard error.status == .unauthorized else { throw error }
            return refuse(error.message)
        }
        try self.context.store.recordAudit(
            AuditRecord(
                at: now, actor: token.name, action: "dashboard.sign_in", target: "token/\(token.name)",
                address: context.clientAddress, details: nil))
        return DashboardPages.redirect(to: next, cookie: sessions.cookie(sessions.issue(for: token, now: now)))
    }

    func signOut(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let form = try await Self.form(request, context)
        if let session = DashboardSessions.value(in: request),
            !sessions.checkCSRF(form[DashboardSessions.formField], session: session)
        {
            return pages.error(
                .forbidden, heading: "Not signed out",
                message: "The form was not sent by this dashboard's page (its CSRF token is missing or wrong).",
                frame: Self.signedOut)
        }
        return DashboardPages.redirect(to: "/sign-in", cookie: sessions.clearingCookie())
    }

    /// `next` if it is a path on this server (`/runs/3`), else `/`: the sign-in form never sends anyone elsewhere.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
            !next.contains(where: { $0.isNewline })
        else { return "/" }
        return next
    }

    /// A form post's fields (`application/x-www-form-urlencoded`, up to 64 KiB).
    static func form(_ request: Request, _ context: ServerRequestContext) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: buffer).replacingOccurrences(of: "+", with: " ")
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ String($0).removingPercentEncoding }) else { continue }
            let value = parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? "" : ""
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// Whether a form post carries the session's CSRF token; the refusal page otherwise.
    func checkForm(_ form: [String: String], _ context: ServerRequestContext, back: String) -> Response? {
        guard let session = context.session, sessions.checkCSRF(form[DashboardSessions.formField], session: session)
        else {
            return pages.error(
                .forbidden, heading: "Refused",
                message: "The form was not sent by this dashboard's page (its CSRF token is missing or wrong); "
                    + "reload the page and try again.", back: back, frame: frame(context))
        }
        return nil
    }

    /// The refusal page of a role that may not do something.
    func forbidden(_ context: ServerRequestContext, _ what: String, back: String) -> Response {
        pages.error(
            .forbidden, heading: "Not allowed",
            message: "Token '\(context.token?.name ?? "")' has role \(role(context).rawValue); \(what) needs operator "
                + "or admin.", back: back, frame: frame(context))
    }
}
