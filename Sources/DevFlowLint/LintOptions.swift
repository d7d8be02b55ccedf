import DevFlowCompiler
import DevFlowDiagnostics

/// Options shared by `devflow-lint` and `devflow lint`, parsed by the executables.
public struct LintOptionValues: Sendable {
    /// Paths.
    public var paths: [String]
    /// `--format`.
    public var format: String
    /// `--config`.
    public var config: String?
    /// `--fail-on`.
    public var failOn: String?
    /// `--no-shellcheck`.
    public var noShellcheck: Bool
    /// `--color`.
    public var color: String
    /// `--explain`.
    public var explain: String?
    /// `--list-rules`.
    public var listRules: Bool
    /// `--fix`.
    public var fix = false
    /// `--diff` (with `--fix`).
    public var diff = false
    /// `--unsafe-fixes` (with `--fix`).
    public var unsafeFixes = false

    /// Creates the values.
    public init(
        paths: [String], format: String, config: String?, failOn: String?, noShellcheck: Bool, color: String,
        explain: String?, listRules: Bool
    ) {
        self.paths = paths
        self.format = format
        self.config = config
        self.failOn = failOn
        self.noShellcheck = noShellcheck
        self.color = color
        self.explain = explain
        self.listRules = listRules
    }

    /// Runs lint (or `--explain`, `--list-rules`) and returns what to print and the exit code.
    public func execute(isTerminal: Bool) -> LintSession.Outcome {
        if listRules {
            let lines = Linter.rules.map {
                "\($0.id.code)  \($0.id.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.defaultSeverity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \($0.summary)"
            }
            return .init(output: lines.joined(separator: "\n") + "\n", errors: "", exitCode: .clean)
        }
        if let explain {
            guard let rule = Linter.rule(named: explain) else {
                let candidates = Suggestions.closest(
                    to: explain, among: Linter.rules.map(\.id.name) + Linter.rules.map(\.id.code))
                return .init(
                    output: "",
                    errors:
                        "devflow-lint: unknown rule '\(explain)'\(Suggestions.didYouMean(candidates)); '--list-rules' lists them\n",
                    exitCode: .usage)
            }
            return .init(output: Linter.explain(rule), errors: "", exitCode: .clean)
        }
        guard let format = LintSession.Format(rawValue: format) else {
            return .init(
                output: "",
                errors: "devflow-lint: unknown format '\(format)'; expected text, json, sarif, github or gitlab\n",
                exitCode: .usage)
        }
        var failing: Severity?
        if let failOn {
            guard let severity = Severity(rawValue: failOn) else {
                return .init(
                    output: "",
                    errors: "devflow-lint: invalid --fail-on '\(failOn)'; expected error, warning or info\n",
                    exitCode: .usage)
            }
            failing = severity
        }
        if (diff || unsafeFixes) && !fix {
            return .init(
                output: "", errors: "devflow-lint: \(diff ? "--diff" : "--unsafe-fixes") only goes with --fix\n",
                exitCode: .usage)
        }
        let colored = color == "always" || (color == "auto" && isTerminal)
        var session = LintSession(
            paths: paths, format: format, configPath: config, failOn: failing, noShellcheck: noShellcheck,
            colored: colored)
        session.fixMode = fix ? (diff ? .diff : .write) : nil
        session.unsafeFixes = unsafeFixes
        return session.run()
    }
}
