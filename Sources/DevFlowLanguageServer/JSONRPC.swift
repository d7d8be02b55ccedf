import DevFlowGraph
import Foundation

/// A JSON-RPC 2.0 message as LSP uses it.
public enum RPCMessage: Sendable, Equatable {
    /// A call that wants an answer.
    case request(id: JSONValue, method: String, params: JSONValue)
    /// A call without an answer.
    case notification(method: String, params: JSONValue)
    /// An answer to a request this side sent (the server sends none that need one, so these are ignored).
    case response(id: JSONValue)

    /// Reads a message body; a body that is not a JSON-RPC message gives the error response to send back.
    public static func read(_ body: [UInt8]) -> Result<RPCMessage, RPCError> {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            return .failure(RPCError(code: .parseError, message: "the message is not JSON"))
        }
        guard case .object(let members) = value else {
            return .failure(RPCError(code: .invalidRequest, message: "a message must be a JSON object"))
        }
        let id = members["id"]
        if let id, !Self.validID(id) {
            return .failure(RPCError(code: .invalidRequest, message: "'id' must be a number or a string"))
        }
        guard let method = members["method"] else {
            if let id, members["result"] != nil || members["error"] != nil { return .success(.response(id: id)) }
            return .failure(RPCError(code: .invalidRequest, message: "a request needs a 'method'", id: id))
        }
        guard case .string(let name) = method else {
            return .failure(RPCError(code: .invalidRequest, message: "'method' must be a string", id: id))
        }
        let params = members["params"] ?? .null
        if let id { return .success(.request(id: id, method: name, params: params)) }
        return .success(.notification(method: name, params: params))
    }

    static func validID(_ id: JSONValue) -> Bool {
        switch id {
        case .number, .string: true
        default: false
        }
    }
}

/// A JSON-RPC error, with the codes LSP defines.
public struct RPCError: Error, Sendable, Equatable {
    /// The error codes used here.
    public enum Code: Int, Sendable {
        /// The body is not JSON.
        case parseError = -32700
        /// The JSON is not a request.
        case invalidRequest = -32600
        /// No such method.
        case methodNotFound = -32601
        /// The parameters do not fit the method.
        case invalidParams = -32602
        /// The server failed.
        case internalError = -32603
        /// A request before `initialize`.
        case serverNotInitialized = -32002
        /// The request was cancelled by the client.
        case requestCancelled = -32800
    }

    /// The code.
    public var code: Code
    /// What was wrong, for people.
    public var message: String
    /// The request's id, when it could be read.
    public var id: JSONValue?

    /// Creates an error.
    public init(code: Code, message: String, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    /// The error response.
    public var response: JSONValue {
        .object([
            "jsonrpc": .string("2.0"), "id": id ?? .null,
            "error": .object(["code": .number(Double(code.rawValue)), "message": .string(message)]),
        ])
    }
}

/// Building outgoing messages.
enum RPC {
    static func response(id: JSONValue, result: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    static func notification(_ method: String, _ params: JSONValue) -> JSONValue {
        .object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params])
    }
}
