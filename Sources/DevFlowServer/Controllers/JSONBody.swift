import DevFlowGraph
import Foundation
import Hummingbird

/// The server answers with DevFlow's JSON value (compact, keys sorted, so answers are stable for golden files).
typealias JSONBody = JSONValue

extension JSONValue: ExpressibleByUnicodeScalarLiteral {}
extension JSONValue: ExpressibleByExtendedGraphemeClusterLiteral {}
extension JSONValue: ExpressibleByStringLiteral {
    /// A string value from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
}
extension JSONValue: ExpressibleByStringInterpolation {}

extension JSONValue {
    /// A value parsed from JSON text, or nil if the text is not JSON.
    static func parse(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
}

extension Response {
    /// A JSON answer.
    static func json(_ status: HTTPResponse.Status, _ object: [String: JSONBody]) -> Response {
        json(status, value: .object(object))
    }

    /// A JSON answer of any value (compact, keys sorted).
    static func json(_ status: HTTPResponse.Status, value: JSONBody) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.compactJSON)))
    }
}
