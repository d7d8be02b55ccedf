/// A JSON value: agent `with:` inputs, matrix values and expression results.
public enum JSONValue: Hashable, Sendable, Codable {
    /// `null`
    case null
    /// `true` / `false`
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value; whole numbers are written without a fraction.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The text a value has when interpolated into a string, as GitHub Actions does it.
    public var interpolated: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .number(let value): JSONValue.format(value)
        case .string(let value): value
        case .array, .object: compactJSON
        }
    }

    /// The members of an object (empty for anything else).
    public var objectMembers: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }

    /// Truthiness: false, 0, "", null are false; everything else is true.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): value != 0 && !value.isNaN
        case .string(let value): !value.isEmpty
        case .array, .object: true
        }
    }

    /// Compact JSON text with sorted keys.
    public var compactJSON: String {
        var out = ""
        writeCompactJSON(into: &out)
        return out
    }

    /// Appends `compactJSON` to `out` (one buffer for the whole value, not a string per member).
    public func writeCompactJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value): out += JSONValue.format(value)
        case .string(let value): JSONValue.writeQuoted(value, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.writeCompactJSON(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeQuoted(key, into: &out)
                out += ":"
                members[key]!.writeCompactJSON(into: &out)
            }
            out += "}"
        }
    }

    /// Formats a number the way expressions print it: integers without a fraction.
    public static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = ""
        writeQuoted(text, into: &out)
        return out
    }

    /// Appends the JSON string literal of `text` to `out`. Text with nothing to escape (the common case: names,
    /// statuses, most log lines) is appended whole, after one pass over its UTF-8 bytes; otherwise the runs between
    /// the bytes to escape are appended whole.
    public static func writeQuoted(_ text: String, into out: inout String) {
        out += "\""
        if !needsEscaping(text) {
            out += text
            out += "\""
            return
        }
        var text = text
        text.withUTF8 { bytes in
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + 16)
            appendEscaped(bytes, to: &escaped)
            out += String(decoding: escaped, as: UTF8.self)
        }
        out += "\""
    }

    /// Appends the JSON string literal of `text` to `out` as UTF-8 bytes.
    public static func writeQuoted(_ text: String, into out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { appendEscaped($0, to: &out) }
        out.append(0x22)
    }

    /// The bytes of a string literal's inside: `"`, `\\`, `\n`, `\r` and `\t` escaped by name, other control
    /// characters as `\u00XX`; runs without any of them copied whole (UTF-8 lead and continuation bytes are all
    /// 0x80 or above, so a byte scan is exact).
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var run = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if run < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index])) }
            run = index + 1
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            default: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
    }

    /// Whether `text` holds a quote, a backslash or a control character (bytes below 0x20; UTF-8 continuation and
    /// lead bytes are all 0x80 or above, so a byte scan is exact).
    public static func needsEscaping(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        }
    }
}
