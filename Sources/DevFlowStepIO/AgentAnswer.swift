import DevFlowAgents
import DevFlowGraph
import Foundation

/// What an agent answers on stdout (docs/agents.md): one JSON object.
public struct AgentResult: Codable, Sendable, Equatable {
    /// One finding.
    public struct Finding: Codable, Sendable, Equatable {
        /// Rule id.
        public var rule: String
        /// `info`, `low`, `medium`, `high` or `error`-style severity text.
        public var severity: String
        /// Repository-relative file.
        public var file: String?
        /// 1-based line; 0 (or none) for a finding about the whole file.
        public var line: Int?
        /// Message for people.
        public var message: String
        /// Optional, built-ins always give it: 1-based column (in characters) of the region's first character.
        public var column: Int?
        /// Optional: 1-based line of the region's last character.
        public var endLine: Int?
        /// Optional: 1-based column just after the region's last character.
        public var endColumn: Int?
        /// Optional: a unified diff that fixes the problem.
        public var fix: String?
    }

    /// Protocol version (must be `AgentAnswer.version`).
    public var version: Int
    /// `success`, `failure` or `error`.
    public var status: String
    /// Findings.
    public var findings: [Finding]?
    /// Outputs for later steps.
    public var outputs: [String: String]?
    /// A markdown summary.
    public var summary: String?
    /// An error kind for retry conditions (`rate_limited`, `unavailable`, `timeout`…).
    public var errorKind: String?

    enum CodingKeys: String, CodingKey {
        case version, status, findings, outputs, summary, errorKind
    }

    /// An output's name.
    struct OutputName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes the fields in a fixed order, and the outputs by name, so that of several wrong fields the same one is
    /// reported every time (a dictionary's own order changes from one instance to the next).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        status = try container.decode(String.self, forKey: .status)
        findings = try container.decodeIfPresent([Finding].self, forKey: .findings)
        if try container.contains(.outputs) && !container.decodeNil(forKey: .outputs) {
            let values = try container.nestedContainer(keyedBy: OutputName.self, forKey: .outputs)
            var outputs: [String: String] = [:]
            for name in values.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                outputs[name.stringValue] = try values.decode(String.self, forKey: name)
            }
            self.outputs = outputs
        }
        summary = try container.decodeIfPresent(String.self, forKey: .summary)
        errorKind = try container.decodeIfPresent(String.self, forKey: .errorKind)
    }
}

/// Why an agent's answer was refused, in words for the person who wrote the agent: always one line.
public struct AgentAnswerError: Error, Sendable, Equatable {
    /// What was wrong, and where in the answer.
    public var message: String
}

/// Reads an agent's answer: the bytes it wrote on stdout, decoded as an `AgentResult` of this protocol version, with
/// every finding's region checked. A pure function of the text (no I/O), so that it can be tested and fuzzed alone.
public enum AgentAnswer {
    /// The protocol version this runner speaks.
    public static let version = 1

    /// The answer in `text`, or what is wrong with it.
    public static func read(_ text: String) -> Result<AgentResult, AgentAnswerError> {
        func refuse(_ message: String) -> Result<AgentResult, AgentAnswerError> {
            .failure(AgentAnswerError(message: message))
        }
        let result: AgentResult
        do {
            result = try JSONDecoder().decode(AgentResult.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            return refuse("the agent's answer is not a valid result (\(excerpt(text))): \(describe(error))")
        } catch {
            return refuse("the agent's answer is not a valid result (\(excerpt(text)))")
        }
        guard result.version == version else {
            return refuse("the agent answered protocol version \(result.version); this runner speaks \(version)")
        }
        for (index, finding) in (result.findings ?? []).enumerated() {
            if let problem = regionProblem(finding) {
                return refuse(
                    "the agent's answer is not a valid result: findings[\(index)] ('\(excerpt(finding.rule))'): \(problem)"
                )
            }
        }
        return .success(result)
    }

    /// What is wrong with a finding's region: a negative line, a column before the first, or an end before the start.
    static func regionProblem(_ finding: AgentResult.Finding) -> String? {
        let line = finding.line ?? 0
        if line < 0 { return "'line' is \(line); lines start at 1 (0 or none: the whole file)" }
        if let column = finding.column, column < 1 { return "'column' is \(column); columns start at 1" }
        if let endLine = finding.endLine, endLine < line {
            return "'endLine' \(endLine) is before 'line' \(line)"
        }
        if let endColumn = finding.endColumn, endColumn < 1 {
            return "'endColumn' is \(endColumn); columns start at 1"
        }
        return nil
    }

    /// A decoding error in a sentence: which field, and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, appending key: CodingKey? = nil) -> String {
            let text = MessageText.path(context.codingPath + (key.map { [$0] } ?? []))
            return text.isEmpty ? "the answer" : "'\(excerpt(text))'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context, appending: key)) is missing"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(noun(type))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty: return "it is not JSON"
        case .dataCorrupted(let context): return "\(path(context)) is not valid"
        @unknown default: return "it does not match the protocol (docs/agents.md)"
        }
    }

    static func noun(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    /// The first 80 characters of `text` on one line, control characters escaped.
    static func excerpt(_ text: String) -> String { MessageText.oneLine(text, limit: 80) }
}

extension Finding {
    /// A finding from an agent's answer: severities `error`/`high`/`critical` → high, `warning`/`medium` → medium,
    /// anything else → low; a missing file or line becomes "" or 0, a missing column 1, a missing end the start line.
    public init(reported: AgentResult.Finding) {
        let severity: Finding.Severity =
            switch reported.severity.lowercased() {
            case "error", "high", "critical": .high
            case "warning", "medium": .medium
            default: .low
            }
        let line = reported.line ?? 0
        self.init(
            rule: reported.rule, severity: severity, file: reported.file ?? "", line: line,
            column: reported.column ?? 1, endLine: reported.endLine ?? line, endColumn: reported.endColumn ?? 1,
            message: reported.message, fix: reported.fix)
    }
}
