/// Replaces every declared secret's value with `***` in text bound for logs, outputs and the store.
public struct SecretMasker: Sendable {
    private let values: [String]

    /// Masks `secrets` values; values shorter than 3 characters are ignored (they would mask ordinary text).
    public init(secrets: [String]) {
        values = secrets.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret replaced.
    public func mask(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values where result.contains(value) {
            result = result.replacingOccurrences(of: value, with: "***")
        }
        return result
    }
}
