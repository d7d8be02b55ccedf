/// The syntax of ids: step, agent, policy, breaker and input ids, matrix dimension names and output names match
/// `[A-Za-z_][A-Za-z0-9_-]*` and are at most 64 bytes long, so that expressions can name them
/// (`steps.unit-tests.outputs.line_rate`). The compiler checks declared ids with it and the runner the output names
/// a step publishes, so both agree on one rule.
public enum IDSyntax {
    /// The longest id, in bytes.
    public static let maximumLength = 64

    /// What is wrong with an id.
    public enum Problem: Sendable, Equatable {
        /// The id is empty.
        case empty
        /// The first character is not a letter or `_`.
        case badStart
        /// It contains this character, which is not a letter, a digit, `_` or `-`.
        case badCharacter(String)
        /// It is this many bytes long, more than `maximumLength`.
        case tooLong(Int)
    }

    /// What is wrong with `id`, or nil when it is a valid id.
    public static func problem(_ id: String) -> Problem? {
        let bytes = Array(id.utf8)
        guard let first = bytes.first else { return .empty }
        guard isStart(first) else { return .badStart }
        if let bad = bytes.firstIndex(where: { !isBody($0) }) {
            // The whole character (a multi-byte one included), as people read it.
            let character = String(decoding: bytes[bad...], as: UTF8.self).first.map(String.init) ?? "?"
            return .badCharacter(character)
        }
        if bytes.count > maximumLength { return .tooLong(bytes.count) }
        return nil
    }

    /// `A-Z`, `a-z` or `_`.
    public static func isStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }

    /// A start byte, a digit or `-`.
    public static func isBody(_ byte: UInt8) -> Bool { isStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D }
}
