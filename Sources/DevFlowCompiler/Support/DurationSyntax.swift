/// Parses durations such as `90s`, `10m`, `1h30m` and `500ms` to milliseconds.
public enum DurationSyntax {
    /// Milliseconds, or nil with a reason.
    public static func parse(_ text: String) -> Result<Int, DurationError> {
        let units: [(String, Int)] = [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        guard !text.isEmpty else { return .failure(.init(message: "duration is empty")) }
        var bytes = Substring(text)
        var total = 0
        var lastUnit = -1
        while !bytes.isEmpty {
            let digits = bytes.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else {
                return .failure(.init(message: "expected a number before '\(bytes.prefix(1))'"))
            }
            bytes = bytes.dropFirst(digits.count)
            if bytes.first == "." {
                let fraction = bytes.dropFirst().prefix { $0.isASCII && $0.isNumber }
                return .failure(
                    .init(
                        message:
                            "'\(digits).\(fraction)' is not a whole number; write smaller units, such as '90m' for '1.5h'"
                    ))
            }
            let unitText = bytes.prefix { $0.isASCII && $0.isLetter }
            guard !unitText.isEmpty else {
                return .failure(.init(message: "number '\(digits)' has no unit (h, m, s or ms)"))
            }
            guard let unitIndex = units.firstIndex(where: { $0.0 == unitText }) else {
                return .failure(.init(message: "unknown unit '\(unitText)'; units are h, m, s and ms"))
            }
            guard unitIndex > lastUnit else {
                return .failure(.init(message: "units must go from the largest down, each at most once"))
            }
            lastUnit = unitIndex
            bytes = bytes.dropFirst(unitText.count)
            guard let value = Int(digits), value <= 1_000_000 else {
                return .failure(.init(message: "'\(digits)' is too large"))
            }
            total += value * units[unitIndex].1
        }
        guard total > 0 else { return .failure(.init(message: "duration must be above zero")) }
        return .success(total)
    }

    /// A suggestion for common mistakes (`10 minutes` → `10m`, `30` → `30s`), if one is obvious.
    public static func suggestion(for text: String) -> String? {
        let words = text.lowercased().split(separator: " ")
        let names: [String: String] = [
            "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "min": "m", "mins": "m", "minute": "m",
            "minutes": "m", "sec": "s", "secs": "s", "second": "s", "seconds": "s", "ms": "ms", "millisecond": "ms",
            "milliseconds": "ms",
        ]
        if words.count == 2, Int(words[0]) != nil, let unit = names[String(words[1])] { return "\(words[0])\(unit)" }
        if words.count == 1, Int(words[0]) != nil { return "\(words[0])s" }
        return nil
    }

    /// Formats milliseconds back into the shortest duration text.
    public static func format(_ milliseconds: Int) -> String {
        var rest = milliseconds
        var text = ""
        for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text.isEmpty ? "0s" : text
    }
}

/// Why a duration is invalid.
public struct DurationError: Error, Hashable, Sendable {
    /// Lower-case message.
    public var message: String
}
