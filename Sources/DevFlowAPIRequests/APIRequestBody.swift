import DevFlowGraph
import Foundation

/// Request bodies, from their bytes: parsed as a JSON object, fields checked by type; each problem is a 4xx that says
/// what was expected.
public enum APIRequestBody {
    /// The largest JSON body the API reads.
    public static let maximumJSONBytes = 1 << 20

    /// The JSON object in `bytes`, sent with `contentType` (a body of no bytes is `{}` when `allowEmpty`; one of only
    /// whitespace is not JSON).
    public static func object(_ bytes: [UInt8], contentType: String?, allowEmpty: Bool = false) throws(APIError)
        -> [String: JSONValue]
    {
        if bytes.isEmpty {
            if allowEmpty { return [:] }
            throw APIError(.badRequest, code: "invalid_body", message: "the body is empty; send a JSON object")
        }
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C].contains($0) }) {
            throw APIError(
                .badRequest, code: "invalid_body",
                message: "the body is only whitespace, which is not JSON; send a JSON object or no body at all")
        }
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as application/json, not \(MessageText.oneLine(contentType, limit: 80))")
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw APIError(.badRequest, code: "invalid_body", message: "the body must be a JSON object")
        }
        return object
    }

    /// A string field, if present; 422 if it has another type.
    public static func string(_ object: [String: JSONValue], _ name: String) throws(APIError) -> String? {
        switch object[name] {
        case nil, .null: return nil
        case .string(let value): return value
        default: throw wrongType(name, expected: "a string")
        }
    }

    /// An object field, if present; 422 if it has another type.
    public static func object(_ object: [String: JSONValue], _ name: String) throws(APIError) -> [String: JSONValue]? {
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
