import DevFlowGraph

/// Reading and building the JSON of LSP messages.
extension JSONValue {
    /// A member of an object, or nil.
    subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The text of a string, or nil.
    var text: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A whole number, or nil.
    var integer: Int? {
        if case .number(let value) = self, value.rounded() == value, abs(value) < 1e15 { return Int(value) }
        return nil
    }

    /// The items of an array, or nil.
    var items: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The value of a boolean, or nil.
    var boolean: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// A number from an integer.
    static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
}
