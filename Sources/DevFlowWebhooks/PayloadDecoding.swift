import DevFlowGraph
import Foundation

/// Decodes a webhook body into a payload type, turning decoding errors into messages that name the field.
enum PayloadDecoding {
    /// Decodes `body` as `type`; an empty body, a body that is not JSON and a payload without a required field are
    /// `malformed`, with the JSON path of the field (`pull_request.head.sha`).
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], forge: ForgeKind) throws(WebhookRejection)
        -> T
    {
        guard body.contains(where: { !isJSONSpace($0) }) else {
            throw .malformed("body is empty; \(forge.displayName) sends a JSON payload: \(contentTypeAdvice)")
        }
        let data = Data(body)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw .malformed(message(for: error, data: data))
        } catch {
            throw .malformed("body cannot be decoded: \(MessageText.oneLine(String(describing: error)))")
        }
    }

    static let contentTypeAdvice = "set the hook's content type to application/json"

    /// The words for a decoding error.
    static func message(for error: DecodingError, data: Data) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "payload has no \(path(context.codingPath + [key]))"
        case .valueNotFound(_, let context):
            return "payload field \(path(context.codingPath)) is null"
        case .typeMismatch(let type, let context):
            return "payload field \(path(context.codingPath)) is not \(typeName(type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "body is not JSON: \(MessageText.oneLine(syntaxProblem(data))); \(contentTypeAdvice)"
        case .dataCorrupted(let context):
            return
                "payload field \(path(context.codingPath)) is invalid: \(MessageText.oneLine(context.debugDescription))"
        @unknown default:
            return "payload cannot be decoded: \(MessageText.oneLine(String(describing: error)))"
        }
    }

    /// The JSON parser's own account of a syntax error (`Unexpected end of file during JSON parse.`), which says
    /// whether the body was cut short.
    static func syntaxProblem(_ data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "not a JSON object"
        } catch {
            let detail = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "invalid JSON"
            var text = detail.hasSuffix(".") ? String(detail.dropLast()) : detail
            if text.lowercased().contains("end of file") { text += " (the body is truncated)" }
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// `pull_request.head.sha`, `commits[0].id`.
    static func path(_ keys: [any CodingKey]) -> String {
        let text = MessageText.path(keys)
        return text.isEmpty ? "(the top level)" : text
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }

    static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
