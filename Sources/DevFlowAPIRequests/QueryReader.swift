import DevFlowGraph
import Foundation

/// Query parameters, read with a 400 that names the parameter when one does not parse.
public struct QueryReader {
    /// The raw value of a parameter, nil when absent.
    let parameter: (String) -> String?

    /// A reader of the parameters `parameter` looks up (the server's: Hummingbird's `queryParameters`).
    public init(_ parameter: @escaping (String) -> String?) { self.parameter = parameter }

    /// The parameter's value; nil when absent or empty.
    public func text(_ name: String) -> String? {
        parameter(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole number in `range`, `value` when absent.
    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = text(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .invalidParameter(
                name,
                "'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound), found '\(MessageText.oneLine(text, limit: 80))'"
            )
        }
        return number
    }

    /// `true` or `false`, nil when absent.
    public func boolean(_ name: String) throws(APIError) -> Bool? {
        guard let text = text(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            throw .invalidParameter(
                name, "'\(name)' must be true or false, found '\(MessageText.oneLine(text, limit: 80))'")
        }
    }

    /// An ISO 8601 time or date, nil when absent.
    public func date(_ name: String) throws(APIError) -> Date? {
        guard let text = text(name) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw .invalidParameter(
            name, "'\(name)' must be an ISO 8601 time such as 2026-12-01T09:30:00Z or a date such as 2026-12-01")
    }

    /// One of the raw values of `type`, nil when absent.
    public func oneOf<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(APIError) -> T?
    where T.RawValue == String {
        guard let text = text(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let accepted = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                .badRequest, code: "invalid_parameter",
                message: "'\(name)' must be one of \(accepted); found '\(MessageText.oneLine(text, limit: 80))'",
                details: ["parameter": .string(name), "accepted": .array(T.allCases.map { .string($0.rawValue) })])
        }
        return value
    }
}
