import DevFlowCompiler
import DevFlowDiagnostics
import Foundation

/// Lints pipeline files: compile, advisory rules, configuration, inline suppressions.
public struct Linter: Sendable {
    /// The configuration in force.
    public var configuration: LintConfiguration
    /// The shellcheck executable, or nil to skip that rule.
    public var shellcheck: String?

    /// Every rule `devflow-lint` can report, by code.
    public static let rules: [RuleDescriptor] =
        (Compiler.rules + [
            ShellCheckRule.descriptor, UnknownWorkerLabelRule.descriptor, Suppressions.invalidSuppression,
            Suppressions.unusedSuppression,
        ]).sorted { $0.id.code < $1.id.code }

    /// shellcheck's findings by script, shared by the lints of a long-lived linter.
    public var shellcheckCache = ShellCheckRule.Cache()

    /// Creates a linter.
    public init(configuration: LintConfiguration = LintConfiguration(), shellcheck: String? = nil) {
        self.configuration = configuration
        self.shellcheck = configuration.shellcheck ? shellcheck : nil
    }

    /// The result of linting one file.
    public struct FileResult: Sendable {
        /// The compilation (graph present when there were no errors before suppression).
        public var compilation: Compilation
        /// Diagnostics after configuration and suppressions.
        public var diagnostics: [Diagnostic]
    }

    /// Lints one file. The graph is only built when `lower` is true (linting itself never needs it).
    public func lint(_ source: SourceFile, lower: Bool = false) -> FileResult {
        let compilation = Compiler.compile(source, lower: lower)
        var diagnostics = compilation.diagnostics
        if let shellcheck, let pipeline = compilation.pipeline {
            diagnostics += ShellCheckRule.check(
                pipeline, source: source, executable: shellcheck, cache: shellcheckCache)
        }
        if let known = configuration.workerLabels, let pipeline = compilation.pipeline {
            diagnostics += UnknownWorkerLabelRule.check(pipeline, known: known)
        }
        var suppressions = Suppressions(source: source, rules: Self.rules)
        diagnostics = configuration.apply(suppressions.filter(diagnostics))
        return FileResult(compilation: compilation, diagnostics: Diagnostic.sortedForOutput(diagnostics))
    }

    /// Looks up a rule by code (`DF009`, case-insensitive) or name (`dependency-cycle`).
    public static func rule(named name: String) -> RuleDescriptor? {
        rules.first { $0.id.code.caseInsensitiveCompare(name) == .orderedSame || $0.id.name == name }
    }

    /// The `--explain` text of a rule.
    public static func explain(_ rule: RuleDescriptor) -> String {
        """
        \(rule.id.code) \(rule.id.name) (default severity: \(rule.defaultSeverity.rawValue))

        \(rule.summary)

        \(rule.explanation.replacingOccurrences(of: "\\\n", with: ""))

        """
    }

    /// The rules reference as markdown, one section per rule (`docs/rules.md`).
    public static func rulesReference() -> String {
        var out =
            "# devflow-lint rules\n\nGenerated from the rule catalogue; `devflow-lint --explain ID` prints the same text.\n\n"
        out += "| code | name | default | summary |\n|---|---|---|---|\n"
        for rule in rules {
            out +=
                "| [\(rule.id.code)](#\(rule.id.code.lowercased())-\(rule.id.name)) | `\(rule.id.name)` | \(rule.defaultSeverity.rawValue) | \(rule.summary) |\n"
        }
        for rule in rules {
            out +=
                "\n## \(rule.id.code) \(rule.id.name)\n\nDefault severity: **\(rule.defaultSeverity.rawValue)**. \(rule.summary.prefix(1).uppercased() + rule.summary.dropFirst()).\n\n"
            out += rule.explanation.replacingOccurrences(of: "\\\n", with: "") + "\n"
        }
        return out
    }
}
