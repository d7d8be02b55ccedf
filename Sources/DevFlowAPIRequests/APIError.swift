import DevFlowGraph
import HTTPTypes

/// An API error: one shape for every failure, `{"error": {"code", "message", "details"}}`, with its HTTP status.
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`not_found`, `invalid_parameter`…).
    public var code: String
    /// What was wrong and what to do instead, for people.
    public var message: String
    /// Structured facts (the parameter, the accepted values…).
    public var details: [String: JSONValue]
    /// Extra headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(
        _ status: HTTPResponse.Status, code: String, message: String, details: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    /// 401 with a `WWW-Authenticate` challenge.
    public static func unauthenticated(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthenticated", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 404 for a thing that does not exist.
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }

    /// 422 for a body field with the wrong type or value (`details.field` names it).
    public static func invalidField(_ name: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_field", message: message, details: ["field": .string(name)])
    }

    /// 400 for a query or path parameter that does not parse.
    public static func invalidParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "invalid_parameter", message: message, details: ["parameter": .string(name)])
    }

    /// The body as JSON.
    public var body: [String: JSONValue] {
        ["error": .object(["code": .string(code), "message": .string(message), "details": .object(details)])]
    }
}
