import Foundation
import Hummingbird
import NIOCore

/// Request bodies: read up to a limit, parsed as a JSON object, fields checked by type; each problem is a 4xx that
/// says what was expected.
enum APIBody {
    /// The largest JSON body the API reads.
    static let maximumJSONBytes = 1 << 20

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

    /// The body as a JSON object (a body of no bytes is `{}` when `allowEmpty`; one of only whitespace is not JSON).
    static func object(_ request: Request, context: ServerRequestContext, allowEmpty: Bool = false) async throws
        -> [String: JSONBody]
    {
        let buffer = try await bytes(request, limit: maximumJSONBytes)
        if buffer.readableBytes == 0 {
            if allowEmpty { return [:] }
            throw APIError(.badRequest, code: "invalid_body", message: "the body is empty; send a JSON object")
        }
        if String(buffer: buffer).allSatisfy(\.isWhitespace) {
            throw APIError(
                .badRequest, code: "invalid_body",
                message: "the body is only whitespace, which is not JSON; send a JSON object or no body at all")
        }
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as application/json, not \(type)")
        }
        guard let value = JSONBody.parse(String(buffer: buffer)) else {
            throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw APIError(.badRequest, code: "invalid_body", message: "the body must be a JSON object")
        }
        return object
    }

    /// A string field, if present; 422 if it has another type.
    static func string(_ object: [String: JSONBody], _ name: String) throws(APIError) -> String? {
        switch object[name] {
        case nil, .null: return nil
        case .string(let value): return value
        default: throw wrongType(name, expected: "a string")
        }
    }

    /// An object field, if present; 422 if it has another type.
    static func object(_ object: [String: JSONBody], _ name: String) throws(APIError) -> [String: JSONBody]? {
        switch object[name] {
        case nil, .null: return nil
        case .object(let value): return value
        default: throw wrongType(name, expected: "an object")
        }
    }

    static func wrongType(_ name: String, expected: String) -> APIError {
        APIError.invalidField(name, "'\(name)' must be \(expected)")
    }
}
