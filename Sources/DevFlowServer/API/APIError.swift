import DevFlowAPIRequests
import Foundation
import Hummingbird

extension APIError: HTTPResponseError {
    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(status, body)
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// Turns every failure under `/api/` into an `APIError` answer: Hummingbird's own errors (no such route, a body too
/// large) keep their status with the API's shape, a path that exists with other methods is a 405 with `Allow`, and
/// anything else is a 500 that says where to look.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The API's routes, for 405s.
    var routes = APIRouteTable()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let allowed = error.status == .notFound ? routes.methods(for: request.uri.path) : []
            if !allowed.isEmpty {
                return try Self.methodNotAllowed(request, allowed: allowed).response(from: request, context: context)
            }
            let code: String =
                switch error.status {
                case .notFound: "not_found"
                case .methodNotAllowed: "method_not_allowed"
                case .contentTooLarge: "body_too_large"
                case .unsupportedMediaType: "unsupported_media_type"
                default: error.status.code < 500 ? "bad_request" : "internal"
                }
            let message =
                error.status == .notFound
                ? "no API route \(request.method) \(request.uri.path); see GET /api/v1/openapi.json"
                : (error.body ?? error.status.reasonPhrase)
            return try APIError(error.status, code: code, message: message).response(from: request, context: context)
        } catch {
            context.logger.error("API request \(request.method) \(request.uri.path) failed: \(error)")
            return try APIError(
                .internalServerError, code: "internal",
                message: "the server failed to answer; its log has the details (\(type(of: error)))"
            ).response(from: request, context: context)
        }
    }

    /// 405 for a path that exists with other methods, with `Allow`.
    static func methodNotAllowed(_ request: Request, allowed: [HTTPRequest.Method]) -> APIError {
        let names = allowed.map(\.rawValue)
        return APIError(
            .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.uri.path) answers \(names.joined(separator: " and ")), not \(request.method); see "
                + "GET /api/v1/openapi.json",
            details: ["allowed": .array(names.map { .string($0) })], headers: [.allow: names.joined(separator: ", ")])
    }
}
