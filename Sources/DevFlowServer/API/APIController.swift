import Crypto
import DevFlowAPIRequests
import DevFlowCompiler
import DevFlowStore
import Foundation
import Hummingbird

/// `/api/v1`: everything a person or a script does with a server, as JSON described by `openapi.json`. Handlers only
/// read and write the store: no step runs and no git work happens in a request.
struct APIController: Sendable {
    let context: ServerContext
    /// Signs pagination cursors; shared by every server on the store.
    let cursorKey: Data
    /// Rate limits per token and per address.
    let limiter: RateLimiter
    /// The dashboard's sessions, whose cookie the API also accepts.
    let sessions: DashboardSessions?

    /// Reads (or makes) the cursor key.
    init(context: ServerContext, sessions: DashboardSessions? = nil) throws {
        self.context = context
        self.sessions = sessions
        let secret = try context.store.serverSecret(named: "api-cursor-key") { APITokens.generate() }
        cursorKey = Data(secret.utf8)
        limiter = RateLimiter(settings: context.settings.configuration.api)
    }

    /// Adds the routes under `/api/v1`.
    func register(on router: Router<ServerRequestContext>) {
        let api = router.group("/api/v1").add(
            middleware: APIAccessMiddleware(store: context.store, limiter: limiter, sessions: sessions))
        api.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        registerRuns(on: api)
        registerLogs(on: api)
        registerBreakers(on: api)
        registerWorkers(on: api)
        registerAdmin(on: api)
        registerTrigger(on: api)
        registerEvents(on: api)
        registerControl(on: api)
        registerAnalytics(on: api)
    }

    /// The configured repository the `{repo}` path segment names (`acme%2Fapp`); a 404 listing the configured ones.
    func repository(_ request: ServerRequestContext) throws(APIError) -> ServerConfiguration.Repository {
        let name = request.path("repo")
        guard let entry = context.settings.configuration.repository(named: name) else {
            let names = context.settings.configuration.repositories.map(\.name).joined(separator: ", ")
            throw .notFound("repository '\(name)' is not served here; configured: \(names)")
        }
        return entry
    }

    /// Records a change made through the API.
    func audit(_ action: String, target: String, details: String? = nil, context request: ServerRequestContext) throws {
        try context.audit(action, target: target, details: details, request: request)
    }
}

extension ServerContext {
    /// Records a change made through the API or the dashboard, by the request's token from its address.
    func audit(_ action: String, target: String, details: String?, request: ServerRequestContext) throws {
        try store.recordAudit(
            AuditRecord(
                at: Date(), actor: request.actor, action: action, target: target, address: request.clientAddress,
                details: details))
    }
}

extension QueryReader {
    /// The query parameters of `request`.
    init(request: Request) {
        self.init { request.uri.queryParameters.get($0) }
    }
}

extension ServerRequestContext {
    /// A path parameter, percent-decoded.
    func path(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// A numeric path parameter (a run id, a delivery id); a 404 when it is not a number.
    func pathID(_ name: String) throws(APIError) -> Int64 {
        guard let value = Int64(path(name)), value > 0 else { throw .notFound("there is no \(name) '\(path(name))'") }
        return value
    }
}
