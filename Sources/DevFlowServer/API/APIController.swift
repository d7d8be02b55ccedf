import Crypto
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

/// Query parameters, read with a 400 that names the parameter when one does not parse.
struct QueryReader {
    let request: Request

    func text(_ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = text(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .invalidParameter(
                name,
                "'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
        }
        return number
    }

    func boolean(_ name: String) throws(APIError) -> Bool? {
        guard let text = text(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw .invalidParameter(name, "'\(name)' must be true or false, found '\(text)'")
        }
    }

    func date(_ name: String) throws(APIError) -> Date? {
        guard let text = text(name) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw .invalidParameter(
            name, "'\(name)' must be an ISO 8601 time such as 2026-12-01T09:30:00Z or a date such as 2026-12-01")
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(APIError) -> T?
    where T.RawValue == String {
        guard let text = text(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let accepted = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                .badRequest, code: "invalid_parameter",
                message: "'\(name)' must be one of \(accepted); found '\(text)'",
                details: ["parameter": .string(name), "accepted": .array(T.allCases.map { .string($0.rawValue) })])
        }
        return value
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
