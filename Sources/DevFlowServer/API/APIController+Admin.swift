import DevFlowAPIRequests
import DevFlowLint
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerAdmin(on api: RouterGroup<ServerRequestContext>) {
        api.get("tokens") { _, context in try self.listTokens(context) }
        api.post("tokens") { request, context in try await self.createToken(request, context) }
        api.delete("tokens/:name") { _, context in try self.revokeToken(context) }
        api.get("audit") { request, context in try self.listAudit(request, context) }
        api.post("lint") { request, context in try await self.lint(request, context) }
    }

    func listTokens(_ context: ServerRequestContext) throws -> Response {
        try context.require(.admin)
        return .json(.ok, ["tokens": .array(try self.context.store.tokens().map(APIRepresentations.token))])
    }

    /// `POST /api/v1/tokens {"name", "role", "expires"}`: the token is in this answer and nowhere else.
    func createToken(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.admin)
        let body = try await APIBody.object(request, context: context)
        guard let name = try APIRequestBody.string(body, "name"), TokenCommands.isValidName(name) else {
            throw APIError.invalidField("name", "'name' must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard let roleText = try APIRequestBody.string(body, "role"), let role = APIRole(rawValue: roleText) else {
            throw APIError.invalidField("role", "'role' must be viewer, operator or admin")
        }
        var expiry: Date?
        if let text = try APIRequestBody.string(body, "expires") {
            guard let seconds = APITokens.duration(text) else {
                throw APIError.invalidField(
                    "expires",
                    "'expires' must be a lifetime of 1 to 9999 minutes, hours, days or weeks, such as 90d, 12h, "
                        + "30m or 2w; found '\(text)'")
            }
            expiry = Date().addingTimeInterval(seconds)
        }
        let created: (String, APITokenRecord)
        do {
            created = try TokenCommands.create(name: name, role: role, expiresAt: expiry, store: self.context.store)
        } catch let error as StoreError {
            throw APIError(.conflict, code: "token_exists", message: error.description)
        }
        try audit("token.create", target: "token/\(name)", details: "role \(role.rawValue)", context: context)
        guard case .object(var object) = APIRepresentations.token(created.1) else { return .json(.created, [:]) }
        object["token"] = .string(created.0)
        return .json(.created, object)
    }

    func revokeToken(_ context: ServerRequestContext) throws -> Response {
        try context.require(.admin)
        let name = context.path("name")
        guard let token = try self.context.store.revokeToken(named: name, at: Date()) else {
            throw APIError.notFound("there is no token '\(name)' that works (it may be revoked already)")
        }
        try audit("token.revoke", target: "token/\(name)", context: context)
        return .json(.ok, value: APIRepresentations.token(token))
    }

    func listAudit(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.admin)
        let query = QueryReader(request: request)
        let entries = try self.context.store.audit(
            since: try query.date("since"), until: try query.date("until"),
            limit: try query.integer("limit", default: 1000, range: 1...10000))
        return .json(.ok, ["entries": .array(entries.map(APIRepresentations.audit))])
    }

    /// Lint formats the endpoint answers.
    enum LintFormat: String, CaseIterable { case json, sarif }

    /// `POST /api/v1/lint?format=json|sarif`: a pipeline in the body, its diagnostics back (shellcheck is not run:
    /// the server starts no process in a request).
    func lint(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.viewer)
        let query = QueryReader(request: request)
        let format = try query.oneOf("format", LintFormat.self) ?? .json
        let path = query.text("path") ?? ".devflow.yml"
        let buffer = try await APIBody.bytes(request, limit: APIRequestBody.maximumJSONBytes * 4)
        let bytes = Data(buffer.readableBytesView)
        var session = LintSession(
            paths: ["-"], format: format == .json ? .json : .sarif, configPath: nil, failOn: .error,
            noShellcheck: true, colored: false, workingDirectory: "/nonexistent/devflow-api-lint",
            readStandardInput: { bytes })
        // The name goes in as the file's, so every format escapes it as it must (JSON strings, SARIF URIs).
        session.standardInputName = path
        let outcome = session.run()
        guard outcome.exitCode == .clean || outcome.exitCode == .findings else {
            throw APIError(.badRequest, code: "lint_failed", message: outcome.errors)
        }
        let text = outcome.output
        if format == .sarif {
            return Response(
                status: .ok, headers: [.contentType: "application/sarif+json"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let diagnostics = JSONBody.parse(text) ?? .array([])
        let errors: Int
        if case .array(let items) = diagnostics {
            errors = items.filter { $0.objectMembers["severity"] == .string("error") }.count
        } else {
            errors = 0
        }
        return .json(.ok, ["diagnostics": diagnostics, "errors": .number(Double(errors)), "path": .string(path)])
    }
}
