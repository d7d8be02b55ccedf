import DevFlowGit
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

    /// Creates a result.
    public init(status: String, findings: [Finding], summary: String, outputs: [String: String]) {
        self.status = status
        self.findings = findings
        self.summary = summary
        self.outputs = outputs
    }

    /// The usual result: findings sorted, `failure` when one is at or above `failOn`, a summary listing them with
    /// the agent's notes (skipped files, fixes applied…).
    static func judged(
        agent: String, findings unsorted: [Finding], failOn: Finding.Severity, checked: String, notes: [String],
        outputs extra: [String: String] = [:]
    ) -> BuiltInAgentResult {
        let findings = unsorted.sorted {
            ($0.file, $0.line, $0.column, $0.rule) < ($1.file, $1.line, $1.column, $1.rule)
        }
        let failing = findings.filter { $0.severity >= failOn }
        var summary = "\(agent): \(findings.count) finding\(findings.count == 1 ? "" : "s") in \(checked)"
        if !failing.isEmpty { summary += ", \(failing.count) at or above \(failOn.rawValue)" }
        for note in notes { summary += "\n- \(note)" }
        for finding in findings {
            summary +=
                "\n- **\(finding.severity.rawValue)** `\(finding.rule)` \(finding.file):\(finding.line): \(finding.message)"
        }
        var outputs = extra
        outputs["findings"] = String(findings.count)
        outputs["failing"] = String(failing.count)
        return BuiltInAgentResult(
            status: failing.isEmpty ? "success" : "failure", findings: findings, summary: summary, outputs: outputs)
    }
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
        ),
        (
            "style-enforcer",
            "fail_on (default low); scope: changes|all; fix: true|false; max_line_length: N (overrides .editorconfig); formatters: [{name, command with {files}, output: diff|formatted, patterns: [globs]}]"
        ),
        (
            "doc-updater",
            "fail_on (default medium); rules: [{when: [globs], require: [globs], message}]; docs: [globs] (default **/*.md); regions: all|changed|off; timeout: seconds; fix: true|false"
        ),
        (
            "test-generator",
            "fail_on (default medium); scope: changes|all; mappings: [{source: pattern with {dir} {name}, tests: [patterns], language}] (defaults: Swift, Python, JS/TS, Go); fix: true|false"
        ),
        (
            "performance-optimizer",
            "fail_on (default high); history: N runs (default 20); slow_top: N; flaky_rate: 0..1; benchmarks: [results files]; threshold: 10%"
        ),
        (
            "llm",
            "model (required); endpoint (default https://api.openai.com/v1); api_key or api_key_env; prompt or prompt_file ({{diff}} {{files}} {{schema}}); scope; fail_on; timeout; max_retries; max_retry_after; response_format: json_object|json_schema|none; max_tokens; max_tokens_per_step; max_tokens_per_run; max_diff_bytes; reask"
        ),
    ]

    /// The `with:` inputs each built-in reads; anything else is a mistake worth an error.
    static let inputs: [String: Set<String>] = [
        "security-guardian": ["fail_on", "scope", "allowlist", "baseline"],
        "style-enforcer": ["fail_on", "scope", "fix", "max_line_length", "formatters"],
        "doc-updater": ["fail_on", "scope", "fix", "rules", "docs", "regions", "timeout"],
        "test-generator": ["fail_on", "scope", "fix", "mappings", "exclude"],
        "performance-optimizer": [
            "fail_on", "history", "slow_top", "slow_min_seconds", "flaky_rate", "benchmarks", "threshold", "pipeline",
        ],
    ]

    /// Does now what every process repeats on its first call, for a fork server to do once before it forks:
    /// libgit2's set-up (with OpenSSL, reading the system's CA bundle) and the security rules' first scan
    /// (compiling their expressions).
    public static func warmUp() {
        GitRepository.prepareLibrary()
        _ = SecurityGuardian().scan(file: "warm-up.env", lines: [(1, "api_token = \"warm-up-0123456789abcdef\"")])
    }

    /// Runs built-in agent `name` on `request`.
    public static func run(_ name: String, request: AgentRequest) throws -> BuiltInAgentResult {
        if let known = inputs[name] {
            for key in request.inputs.keys.sorted() where !known.contains(key) {
                let suggestion =
                    known.min { distance(key, $0) < distance(key, $1) }
                    .flatMap { distance(key, $0) <= 3 ? " (did you mean '\($0)'?)" : nil } ?? ""
                throw BuiltInAgentError(
                    "\(name) has no input '\(key)'\(suggestion); its inputs are \(known.sorted().joined(separator: ", "))"
                )
            }
        }
        switch name {
        case "security-guardian": return try SecurityGuardianAgent.run(request)
        case "style-enforcer": return try StyleEnforcer.run(request)
        case "doc-updater": return try DocUpdater.run(request)
        case "test-generator": return try TestGenerator.run(request)
        case "performance-optimizer": return try PerformanceOptimizer.run(request)
        case "llm": throw BuiltInAgentError("the llm agent needs its endpoint: run it as a step of devflow run")
        default:
            let known = catalogue.map(\.name).joined(separator: ", ")
            throw BuiltInAgentError("there is no built-in agent '\(name)' (built-ins: \(known))")
        }
    }
}

/// `security-guardian` as an agent: scope, allowlist, baseline, fail_on around the detection core.
enum SecurityGuardianAgent {
    static func run(_ request: AgentRequest) throws -> BuiltInAgentResult {
        let failOn = try request.failOn(default: .high)
        let allowlist = request.inputs["allowlist"]?.stringList ?? []
        var baseline = Set<String>()
        if let path = request.string("baseline") {
            guard let data = FileManager.default.contents(atPath: request.absolute(path)) else {
                throw BuiltInAgentError("cannot read the baseline file '\(path)'")
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let entry = line.trimmingCharacters(in: .whitespaces)
                if !entry.isEmpty && !entry.hasPrefix("#") { baseline.insert(entry) }
            }
        }
        let scope = try request.scope()
        let guardian = SecurityGuardian(allowlist: allowlist, baseline: baseline)
        var findings: [Finding] = []
        for file in scope.files { findings += guardian.scan(file: file.path, lines: file.lines) }
        return .judged(
            agent: "security-guardian", findings: findings, failOn: failOn, checked: files(scope.files.count),
            notes: scope.skipped.map { "skipped \($0)" })
    }
}

/// Edit distance between two input names, for suggestions.
func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in 1...max(1, b.count) where !b.isEmpty {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}

/// "3 files", "1 file".
func files(_ count: Int) -> String { "\(count) file\(count == 1 ? "" : "s")" }
