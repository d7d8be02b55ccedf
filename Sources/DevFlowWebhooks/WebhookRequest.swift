/// A webhook as it arrived: its headers and its raw body, before anything is trusted.
///
/// Header names are matched without regard to case, as HTTP requires; the body is kept byte for byte because
/// signatures are computed over the raw bytes.
public struct WebhookRequest: Sendable, Equatable {
    /// The headers, keyed by lower-cased name. When a header came more than once, keep the first value.
    public private(set) var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]

    /// Creates a request; header names may have any case (the first of names that differ only by case wins).
    public init(headers: [String: String], body: [UInt8]) {
        var lowered: [String: String] = [:]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where lowered[name.lowercased()] == nil {
            lowered[name.lowercased()] = value
        }
        self.headers = lowered
        self.body = body
    }

    /// Creates a request whose body is the UTF-8 bytes of `body`.
    public init(headers: [String: String], body: String) {
        self.init(headers: headers, body: Array(body.utf8))
    }

    /// The value of header `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The value of header `name` trimmed of surrounding spaces; nil when missing or blank.
    func nonEmptyHeader(_ name: String) -> String? {
        guard let value = header(name) else { return nil }
        let trimmed = value.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Adds or replaces header `name`.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers[name.lowercased()] = value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}

/// Why a webhook is refused. Each message says what was wrong and what to do, and never contains the secret.
///
/// The server answers `unsigned` and `forged` with 401, `malformed` with 400 and `unknownRepository` with 404.
public enum WebhookRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request carries no signature or token at all (the hook has no secret set).
    case unsigned(String)
    /// The request carries a signature or token that does not match the secret.
    case forged(String)
    /// The request is authentic or not yet checked, but cannot be understood: a header or field is missing, the
    /// body is not JSON.
    case malformed(String)
    /// The payload names a repository the server is not configured for.
    case unknownRepository(String)

    /// The message for people.
    public var message: String {
        switch self {
        case .unsigned(let text), .forged(let text), .malformed(let text), .unknownRepository(let text): text
        }
    }

    /// A stable lower-case name of the case: `unsigned`, `forged`, `malformed`, `unknown_repository`.
    public var kind: String {
        switch self {
        case .unsigned: "unsigned"
        case .forged: "forged"
        case .malformed: "malformed"
        case .unknownRepository: "unknown_repository"
        }
    }

    /// The HTTP status the server answers with: 401, 400 or 404.
    public var httpStatus: Int {
        switch self {
        case .unsigned, .forged: 401
        case .malformed: 400
        case .unknownRepository: 404
        }
    }

    /// `kind: message`.
    public var description: String { "\(kind): \(message)" }
}
