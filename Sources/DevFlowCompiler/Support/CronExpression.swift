/// Validates five-field cron expressions (minute hour day-of-month month day-of-week).
public enum CronExpression {
    static let fields: [(name: String, range: ClosedRange<Int>, names: [String])] = [
        ("minute", 0...59, []),
        ("hour", 0...23, []),
        ("day of month", 1...31, []),
        ("month", 1...12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0...7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ]

    /// A problem and the UTF-8 range of the field at fault, or nil when the expression is valid.
    public static func validate(_ text: String) -> (message: String, range: Range<Int>)? {
        let bytes = Array(text.utf8)
        var spans: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x09 { index += 1 }
            if start < index { spans.append(start..<index) }
        }
        guard spans.count == 5 else {
            let whole = 0..<bytes.count
            if spans.count == 6 {
                return (
                    "cron has 6 fields; seconds are not supported, use 5 fields: minute hour day month weekday", whole
                )
            }
            return (
                "cron has \(spans.count) field\(spans.count == 1 ? "" : "s"); expected 5: minute hour day month weekday",
                whole
            )
        }
        for (position, span) in spans.enumerated() {
            let field = fields[position]
            let fieldText = String(decoding: bytes[span], as: UTF8.self)
            for part in fieldText.split(separator: ",", omittingEmptySubsequences: false) {
                if let problem = checkPart(String(part), field: field) { return (problem, span) }
            }
        }
        return nil
    }

    private static func value(_ text: String, field: (name: String, range: ClosedRange<Int>, names: [String])) -> Int? {
        if let number = Int(text) { return number }
        if let index = field.names.firstIndex(of: text.uppercased()) {
            return field.name == "month" ? index + 1 : index
        }
        return nil
    }

    private static func checkPart(_ part: String, field: (name: String, range: ClosedRange<Int>, names: [String]))
        -> String?
    {
        guard !part.isEmpty else { return "empty item in the \(field.name) list" }
        let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return "'\(part)' has more than one '/'" }
        if pieces.count == 2 {
            guard let step = Int(pieces[1]), step > 0 else {
                return "step '\(pieces[1])' in \(field.name) must be a positive number"
            }
            if step > field.range.upperBound {
                return
                    "step '\(step)' in \(field.name) is larger than its range \(field.range.lowerBound)-\(field.range.upperBound)"
            }
        }
        let base = String(pieces[0])
        if base == "*" { return nil }
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count <= 2 else { return "'\(base)' is not a value or a range in \(field.name)" }
        var numbers: [Int] = []
        for bound in bounds {
            guard let number = value(bound, field: field) else {
                let names = field.names.isEmpty ? "" : " or a name \(field.names.first!)-\(field.names.last!)"
                return
                    "'\(bound)' is not a valid \(field.name); expected \(field.range.lowerBound)-\(field.range.upperBound)\(names)"
            }
            guard field.range.contains(number) else {
                return "\(field.name) '\(bound)' is out of range \(field.range.lowerBound)-\(field.range.upperBound)"
            }
            numbers.append(number)
        }
        if numbers.count == 2, numbers[0] > numbers[1] { return "range '\(base)' in \(field.name) is reversed" }
        return nil
    }
}
