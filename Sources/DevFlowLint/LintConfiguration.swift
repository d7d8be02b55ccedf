import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// `.devflow-lint.yml`: per-rule severity or `off`, the failing severity, and shellcheck on or off.
public struct LintConfiguration: Sendable {
    /// Severity overrides by rule code; nil value means the rule is off.
    public var severities: [String: Severity?] = [:]
    /// Findings at or above this severity fail the run (exit 1).
    public var failOn: Severity = .error
    /// Whether to run shellcheck on `run:` scripts when it is on PATH.
    public var shellcheck = true
    /// Path globs never linted.
    public var ignorePaths: [String] = []
    /// The labels the team's workers have (`worker_labels:`), for DF036; nil leaves that rule silent.
    public var workerLabels: [String]?

    /// The defaults.
    public init() {}

    /// The configuration file names looked up in the working directory.
    public static let fileNames = [".devflow-lint.yml", ".devflow-lint.yaml"]

    /// Why a configuration file is unusable.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// What is wrong and where.
        public var description: String
    }

    /// Parses a configuration file; unknown rules and values are errors with suggestions.
    public static func parse(_ source: SourceFile, rules: [RuleDescriptor]) throws(Problem) -> LintConfiguration {
        let document = YAMLParser.parse(source)
        if let first = document.diagnostics.first {
            throw Problem(
                description: "\(source.path):\(first.span.start.line):\(first.span.start.column): \(first.message)")
        }
        var configuration = LintConfiguration()
        guard let root = document.root else { return configuration }
        func fail(_ node: YAMLNode, _ message: String) -> Problem {
            Problem(
                description: "\(source.path):\(node.usageSpan.start.line):\(node.usageSpan.start.column): \(message)")
        }
        guard let pairs = root.pairs else { throw fail(root, "the configuration must be a mapping") }
        let keys = ["rules", "fail_on", "shellcheck", "ignore", "worker_labels"]
        for pair in pairs {
            let key = pair.key.scalar?.value ?? ""
            switch key {
            case "rules":
                guard let entries = pair.value.pairs else {
                    throw fail(pair.value, "'rules' must map rule ids to off, info, warning or error")
                }
                for entry in entries {
                    let name = entry.key.scalar?.value ?? ""
                    guard let rule = rules.first(where: { $0.id.code == name || $0.id.name == name }) else {
                        let candidates = Suggestions.closest(
                            to: name, among: rules.map(\.id.name) + rules.map(\.id.code))
                        throw fail(entry.key, "unknown rule '\(name)'\(Suggestions.didYouMean(candidates))")
                    }
                    let value = entry.value.scalar?.value ?? ""
                    if value == "off" {
                        configuration.severities[rule.id.code] = .some(nil)
                    } else if let severity = Severity(rawValue: value) {
                        configuration.severities[rule.id.code] = severity
                    } else {
                        throw fail(
                            entry.value,
                            "invalid severity '\(value)' for rule '\(name)'; expected 'off', 'info', 'warning' or 'error'"
                        )
                    }
                }
            case "fail_on":
                guard let value = pair.value.scalar?.value, let severity = Severity(rawValue: value) else {
                    throw fail(pair.value, "'fail_on' must be 'info', 'warning' or 'error'")
                }
                configuration.failOn = severity
            case "shellcheck":
                guard let value = pair.value.scalar?.value, value == "true" || value == "false" else {
                    throw fail(pair.value, "'shellcheck' must be true or false")
                }
                configuration.shellcheck = value == "true"
            case "ignore":
                guard let items = pair.value.items else {
                    throw fail(pair.value, "'ignore' must be a list of path globs")
                }
                configuration.ignorePaths = items.compactMap { $0.scalar?.value }
            case "worker_labels":
                guard let items = pair.value.items else {
                    throw fail(pair.value, "'worker_labels' must be a list of labels, like [linux, gpu]")
                }
                var labels: [String] = []
                for item in items {
                    guard let label = item.scalar?.value, WorkerLabel.isValid(label) else {
                        throw fail(item, "a worker label is 1 to 64 letters, digits, '.', '_' or '-'")
                    }
                    labels.append(label)
                }
                configuration.workerLabels = labels
            default:
                throw fail(
                    pair.key,
                    "unknown key '\(key)'\(Suggestions.didYouMean(Suggestions.closest(to: key, among: keys))); expected \(Suggestions.list(keys))"
                )
            }
        }
        return configuration
    }

    /// Applies severity overrides; drops rules that are off.
    public func apply(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.compactMap { diagnostic in
            guard let override = severities[diagnostic.id.code] else { return diagnostic }
            guard let severity = override else { return nil }
            var changed = diagnostic
            changed.severity = severity
            return changed
        }
    }
}
