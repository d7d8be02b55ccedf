import DevFlowAgents
import DevFlowGraph
import Foundation

/// The JSON the llm agent asks the model for, and its strict validation:
/// `{"findings": [{"rule", "severity", "file", "line", "end_line"?, "message"}], "summary": "…"}`.
public enum ReviewSchema {
    /// One finding as the model reported it, validated.
    public struct Reported: Sendable, Equatable {
        /// Kebab-case rule id.
        public var rule: String
        /// The mapped severity.
        public var severity: Finding.Severity
        /// Repository-relative path.
        public var file: String
        /// 1-based line in the new version of the file.
        public var line: Int
        /// Last line of the region (at least `line`).
        public var endLine: Int
        /// Explanation.
        public var message: String
    }

    /// A validated answer.
    public struct Answer: Sendable, Equatable {
        /// The findings.
        public var findings: [Reported]
        /// The model's summary, if it gave one.
        public var summary: String?
    }

    /// The schema in words, for the system message.
    public static let description = """
        Answer with one JSON object and nothing else (no prose, no code fences), of exactly this shape:
        {"findings": [{"rule": "kebab-case-id", "severity": "low" | "medium" | "high", "file": "path as given", \
        "line": 12, "end_line": 14, "message": "what is wrong and how to fix it"}], "summary": "one paragraph"}
        "line" and the optional "end_line" are the new-file line numbers shown at the left of the diff. \
        Report only lines that appear in the diff. With nothing to report, answer {"findings": [], "summary": "…"}.
        """

    /// The same schema as a JSON Schema, for `response_format: json_schema`.
    public static let jsonSchema: JSONValue = .object([
        "type": .string("object"),
        "required": .array([.string("findings")]),
        "properties": .object([
            "summary": .object(["type": .string("string")]),
            "findings": .object([
                "type": .string("array"),
                "items": .object([
                    "type": .string("object"),
                    "required": .array(["rule", "severity", "file", "line", "message"].map(JSONValue.string)),
                    "properties": .object([
                        "rule": .object(["type": .string("string")]),
                        "severity": .object(["enum": .array(["low", "medium", "high"].map(JSONValue.string))]),
                        "file": .object(["type": .string("string")]),
                        "line": .object(["type": .string("integer"), "minimum": .number(1)]),
                        "end_line": .object(["type": .string("integer"), "minimum": .number(1)]),
                        "message": .object(["type": .string("string")]),
                    ]),
                ]),
            ]),
        ]),
    ])

    /// Severity words models use, mapped: `critical`/`error`/`high` → high, `warning`/`medium` → medium,
    /// `info`/`note`/`low` → low.
    public static func severity(_ text: String) -> Finding.Severity? {
        switch text.lowercased() {
        case "high", "critical", "error", "blocker", "major": .high
        case "medium", "warning", "moderate": .medium
        case "low", "info", "note", "minor", "suggestion": .low
        default: nil
        }
    }

    /// Validates `content`: JSON (a surrounding code fence is tolerated), an object with a `findings` array whose
    /// every element has the required fields of the right types. Throws every problem found, not only the first.
    public static func validate(_ content: String) throws(ReviewSchemaError) -> Answer {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            text = String(text.drop { $0 != "\n" }.dropFirst())
            if text.hasSuffix("```") { text = String(text.dropLast(3)) }
        }
        guard let object = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            let excerpt = content.prefix(80).replacingOccurrences(of: "\n", with: " ")
            throw ReviewSchemaError(problems: ["the content is not JSON: '\(excerpt)'"])
        }
        guard case .object(let top) = object else {
            throw ReviewSchemaError(problems: ["the content is JSON but not an object"])
        }
        guard case .array(let items)? = top["findings"] else {
            let keys = top.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw ReviewSchemaError(problems: ["the object has no \"findings\" array (its keys: \(keys))"])
        }
        var problems: [String] = []
        var findings: [Reported] = []
        for (index, item) in items.enumerated() {
            let at = "findings[\(index)]"
            guard case .object(let fields) = item else {
                problems.append("\(at) is not an object")
                continue
            }
            let rule = nonEmptyString(fields["rule"])
            let file = nonEmptyString(fields["file"])
            let message = nonEmptyString(fields["message"])
            let severityText = fields["severity"].flatMap(string)
            let severity = severityText.flatMap(Self.severity)
            let line = integer(fields["line"])
            let endLineValue = fields["end_line"].flatMap { $0 == .null ? nil : $0 }
            let endLine = endLineValue.map(integer) ?? line
            if rule == nil { problems.append("\(at).rule is not a non-empty string") }
            if file == nil { problems.append("\(at).file is not a non-empty string") }
            if message == nil { problems.append("\(at).message is not a non-empty string") }
            if severity == nil {
                problems.append("\(at).severity '\(severityText ?? "")' is not low, medium or high")
            }
            if (line ?? 0) < 1 { problems.append("\(at).line is not a positive integer") }
            if let line, (endLine ?? 0) < line {
                problems.append("\(at).end_line is not an integer ≥ line")
            }
            if let rule, let file, let message, let severity, let line, let endLine, line >= 1, endLine >= line {
                findings.append(
                    Reported(rule: rule, severity: severity, file: file, line: line, endLine: endLine, message: message)
                )
            }
        }
        guard problems.isEmpty else { throw ReviewSchemaError(problems: problems) }
        return Answer(findings: findings, summary: nonEmptyString(top["summary"]))
    }

    static func string(_ value: JSONValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }

    static func nonEmptyString(_ value: JSONValue?) -> String? {
        guard let text = value.flatMap(string)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            return nil
        }
        return text
    }

    static func integer(_ value: JSONValue?) -> Int? {
        guard case .number(let number)? = value, number == number.rounded(), abs(number) < 1e9 else { return nil }
        return Int(number)
    }
}

/// The model's content does not follow the findings schema.
public struct ReviewSchemaError: Error, Sendable, CustomStringConvertible {
    /// Every problem found.
    public var problems: [String]

    /// The first five problems, joined.
    public var description: String {
        let shown = problems.prefix(5).joined(separator: "; ")
        return problems.count > 5 ? "\(shown); and \(problems.count - 5) more" : shown
    }
}
