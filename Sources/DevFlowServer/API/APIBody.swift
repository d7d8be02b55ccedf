import DevFlowAPIRequests
import Foundation
import Hummingbird
import NIOCore

/// Request bodies as Hummingbird hands them over: read up to a limit, then parsed and checked by `APIRequestBody`.
enum APIBody {
    /// The body's bytes, refusing more than `limit` with 413.
    static func bytes(_ request: Request, limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "body_too_large", message: "the body is larger than \(limit) bytes",
                details: ["limit": .number(Double(limit))])
        }
    }

    /// The body as a JSON object (`APIRequestBody.object`).
    static func object(_ request: Request, context: ServerRequestContext, allowEmpty: Bool = false) async throws
        -> [String: JSONBody]
    {
        let buffer = try await bytes(request, limit: APIRequestBody.maximumJSONBytes)
        return try APIRequestBody.object(
            Array(buffer.readableBytesView), contentType: request.headers[.contentType], allowEmpty: allowEmpty)
    }

}
