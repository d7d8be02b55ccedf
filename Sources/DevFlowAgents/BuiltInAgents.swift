import DevFlowGraph
import Foundation

/// What a built-in agent answers: the same fields as the command-agent protocol (docs/agents.md).
public struct BuiltInAgentResult: Sendable {
    /// `success`, `failure` or `error`.
    public var status: String
    /// Findings, in file and line order.
    public var findings: [Finding]
    /// A markdown summary for people.
    public var summary: String
    /// Outputs for later steps.
    public var outputs: [String: String]
}

/// A built-in agent failed to do its work (bad inputs, unreadable baseline…): a step error with this message.
public struct BuiltInAgentError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for people.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// The built-in agents and their inputs.
public enum BuiltInAgents {
    /// Names and `with:` inputs, for `devflow agents list` and error messages.
    public static let catalogue: [(name: String, inputs: String)] = [
        (
            "security-guardian",
            "fail_on: low|medium|high (default high); scope: changes|all; allowlist: [value or regex]; baseline: path of accepted fingerprints"
        )
    ]

    /// Runs built-in agent `name` with its `with:` inputs on `workspace`; `changes` gives the changed lines when
    /// `scope: changes` (the default).
    public static func run(
        _ name: String, inputs: [String: JSONValue], workspace: String, changes: () throws -> AgentScope
    ) throws -> BuiltInAgentResult {
        switch name {
        case "security-guardian":
            return try SecurityGuardianAgent.run(inputs: inputs, workspace: workspace, changes: changes)
        default:
            let known = catalogue.map(\.name).joined(separator: ", ")
            throw BuiltInAgentError(
                "built-in agent '\(name)' is not part of this build yet (available: \(known)); use a command: agent")
        }
    }

    /// `scope` input: the changed lines (default) or the whole workspace.
    static func scope(_ inputs: [String: JSONValue], workspace: String, changes: () throws -> AgentScope) throws
        -> AgentScope
    {
        switch inputs["scope"]?.interpolated ?? "changes" {
        case "changes": return try changes()
        case "all": return AgentScope.all(in: workspace)
        case let other: throw BuiltInAgentError("scope '\(other)' is not 'changes' or 'all'")
        }
    }
}

/// `security-guardian` as an agent: scope, allowlist, baseline, fail_on around the detection core.
enum SecurityGuardianAgent {
    static func run(inputs: [String: JSONValue], workspace: String, changes: () throws -> AgentScope) throws
        -> BuiltInAgentResult
    {
        let failOnText = inputs["fail_on"]?.interpolated ?? "high"
        guard let failOn = Finding.Severity(rawValue: failOnText) else {
            throw BuiltInAgentError("fail_on '\(failOnText)' is not low, medium or high")
        }
        var allowlist: [String] = []
        switch inputs["allowlist"] {
        case .array(let items)?: allowlist = items.map(\.interpolated)
        case .string(let text)?: allowlist = [text]
        default: break
        }
        var baseline = Set<String>()
        if let path = inputs["baseline"]?.interpolated, !path.isEmpty {
            let absolute = path.hasPrefix("/") ? path : "\(workspace)/\(path)"
            guard let data = FileManager.default.contents(atPath: absolute) else {
                throw BuiltInAgentError("cannot read the baseline file '\(path)'")
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let entry = line.trimmingCharacters(in: .whitespaces)
                if !entry.isEmpty && !entry.hasPrefix("#") { baseline.insert(entry) }
            }
        }
        let scope = try BuiltInAgents.scope(inputs, workspace: workspace, changes: changes)
        let guardian = SecurityGuardian(allowlist: allowlist, baseline: baseline)
        var findings: [Finding] = []
        for file in scope.files { findings += guardian.scan(file: file.path, lines: file.lines) }
        findings.sort { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
        let failing = findings.filter { $0.severity >= failOn }
        var summary =
            "security-guardian: \(findings.count) finding\(findings.count == 1 ? "" : "s") in \(scope.files.count) file\(scope.files.count == 1 ? "" : "s")"
        if !failing.isEmpty { summary += ", \(failing.count) at or above \(failOn.rawValue)" }
        for note in scope.skipped { summary += "\n- skipped \(note)" }
        for finding in findings {
            summary +=
                "\n- **\(finding.severity.rawValue)** `\(finding.rule)` \(finding.file):\(finding.line): \(finding.message)"
        }
        return BuiltInAgentResult(
            status: failing.isEmpty ? "success" : "failure", findings: findings, summary: summary,
            outputs: ["findings": String(findings.count), "failing": String(failing.count)])
    }
}
