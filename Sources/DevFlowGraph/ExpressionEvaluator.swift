import Foundation

/// Evaluates expressions against known context values. Unknown values (nil) propagate, so a planner can tell
/// "false under every value" from "depends on what happens at run time".
public struct ExpressionEvaluator: Sendable {
    /// Values of contexts by name (`git`, `event`, `steps`…); a missing context is unknown.
    public var contexts: [String: JSONValue]
    /// Results of `success()`, `failure()`, `always()`, `cancelled()`; a missing one is unknown.
    public var statusFunctions: [String: Bool]
    /// Computes `hash_files(globs…)`; nil means unknown at this time.
    public var hashFiles: (@Sendable ([String]) -> String?)?
    /// When true, a property missing from a known object is unknown rather than null (for partial knowledge).
    public var missingIsUnknown: Bool

    /// Creates an evaluator.
    public init(
        contexts: [String: JSONValue] = [:], statusFunctions: [String: Bool] = [:],
        hashFiles: (@Sendable ([String]) -> String?)? = nil, missingIsUnknown: Bool = false
    ) {
        self.missingIsUnknown = missingIsUnknown
        self.contexts = contexts
        self.statusFunctions = statusFunctions
        self.hashFiles = hashFiles
    }

    /// The value of `expression`, or nil when it depends on something unknown.
    public func evaluate(_ expression: Expression) -> JSONValue? {
        switch expression.kind {
        case .literal(let value): return value
        case .context(let name): return contexts[name]
        case .property(let base, let name, _): return member(evaluate(base), name)
        case .index(let base, let index):
            guard let key = evaluate(index) else { return nil }
            guard let container = evaluate(base) else { return nil }
            if case .array(let items) = container, case .number(let number) = key {
                let position = Int(number)
                return items.indices.contains(position) ? items[position] : .null
            }
            return member(container, key.interpolated)
        case .not(let operand): return evaluate(operand).map { .bool(!$0.isTruthy) }
        case .negate(let operand):
            guard let value = evaluate(operand) else { return nil }
            return Self.number(value).map { .number(-$0) } ?? .null
        case .binary(let op, let lhs, let rhs): return binary(op, lhs, rhs)
        case .call(let name, _, let arguments): return call(name, arguments)
        }
    }

    private func member(_ container: JSONValue?, _ name: String) -> JSONValue? {
        guard let container else { return nil }
        if case .object(let members) = container { return members[name] ?? (missingIsUnknown ? nil : .null) }
        return .null
    }

    private func binary(_ op: Expression.BinaryOperator, _ lhs: Expression, _ rhs: Expression) -> JSONValue? {
        switch op {
        case .and:
            let left = evaluate(lhs)
            if let left, !left.isTruthy { return left }
            let right = evaluate(rhs)
            if left == nil { return right.map { $0.isTruthy ? nil : .bool(false) } ?? nil }
            return right
        case .or:
            let left = evaluate(lhs)
            if let left, left.isTruthy { return left }
            let right = evaluate(rhs)
            if left == nil { return right.map { $0.isTruthy ? .bool(true) : nil } ?? nil }
            return right
        default:
            guard let left = evaluate(lhs), let right = evaluate(rhs) else { return nil }
            return .bool(Self.compare(op, left, right))
        }
    }

    /// Compares with light coercion: numbers against numeric strings, otherwise same-type equality.
    public static func compare(_ op: Expression.BinaryOperator, _ left: JSONValue, _ right: JSONValue) -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        default:
            if case .string(let a) = left, case .string(let b) = right {
                switch op {
                case .less: return a < b
                case .lessOrEqual: return a <= b
                case .greater: return a > b
                default: return a >= b
                }
            }
            guard let a = number(left), let b = number(right) else { return false }
            switch op {
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            default: return a >= b
            }
        }
    }

    private static func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
        switch (left, right) {
        case (.number, .string), (.string, .number), (.bool, .number), (.number, .bool):
            guard let a = number(left), let b = number(right) else { return false }
            return a == b
        default: return left == right
        }
    }

    /// A value as a number: numbers, booleans (1/0), numeric strings, null (0).
    public static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .null: 0
        case .string(let text): text.isEmpty ? 0 : Double(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    private func call(_ name: String, _ arguments: [Expression]) -> JSONValue? {
        if ["success", "failure", "always", "cancelled"].contains(name) {
            if name == "always" { return .bool(true) }
            return statusFunctions[name].map { .bool($0) }
        }
        var values: [JSONValue] = []
        for argument in arguments {
            guard let value = evaluate(argument) else { return nil }
            values.append(value)
        }
        switch name {
        case "contains":
            guard values.count == 2 else { return nil }
            if case .array(let items) = values[0] { return .bool(items.contains { Self.equal($0, values[1]) }) }
            return .bool(values[0].interpolated.contains(values[1].interpolated))
        case "starts_with":
            guard values.count == 2 else { return nil }
            return .bool(values[0].interpolated.hasPrefix(values[1].interpolated))
        case "ends_with":
            guard values.count == 2 else { return nil }
            return .bool(values[0].interpolated.hasSuffix(values[1].interpolated))
        case "format":
            guard let template = values.first else { return nil }
            var text = template.interpolated
            for (index, value) in values.dropFirst().enumerated() {
                text = text.replacingOccurrences(of: "{\(index)}", with: value.interpolated)
            }
            return .string(text)
        case "join":
            guard let first = values.first else { return nil }
            let separator = values.count > 1 ? values[1].interpolated : ","
            if case .array(let items) = first { return .string(items.map(\.interpolated).joined(separator: separator)) }
            return .string(first.interpolated)
        case "to_json": return values.first.map { .string($0.compactJSON) }
        case "from_json":
            guard let text = values.first?.interpolated,
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            else { return nil }
            return value
        case "hash_files": return hashFiles?(values.map(\.interpolated)).map { .string($0) }
        default: return nil
        }
    }
}
