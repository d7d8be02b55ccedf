import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLint
import DevFlowStore
import Foundation

/// `devflow runs findings RUN --format json|markdown|github|sarif`: what agents found in a run.
public enum FindingsCommand {
    /// Renders the findings of `run`.
    public static func render(
        run id: Int64, format: String, database: String?, directory: String = FileManager.default.currentDirectoryPath
    ) -> StoreCommands.Output {
        guard ["json", "markdown", "github", "sarif"].contains(format) else {
            return .init(
                text: "", errors: "devflow: unknown format '\(format)'; expected json, markdown, github or sarif\n",
                code: 2)
        }
        switch StoreCommands.open(database, directory: directory) {
        case .failure(let output): return output
        case .success(let store):
            guard (try? store.run(id)) != nil else {
                return .init(text: "", errors: "devflow: no run \(id)\n", code: 2)
            }
            let findings = (try? store.findings(run: id)) ?? []
            if format == "markdown" { return .init(text: markdown(findings, title: "Run \(id)")) }
            return .init(text: self.format(findings, as: format))
        }
    }

    /// Findings as JSON, GitHub annotations or SARIF 2.1.0.
    public static func format(_ findings: [FindingRecord], as format: String) -> String {
        switch format {
        case "json": return json(findings)
        case "github": return MachineRenderers.github(findings.map(diagnostic))
        default:
            let rules = Array(Set(findings.map(\.rule))).sorted().map { rule in
                RuleDescriptor(
                    code: rule, name: rule, severity: .warning, summary: "agent rule \(rule)",
                    explanation: "Reported by a DevFlow agent; see docs/agents.md for \(rule).")
            }
            let renderer = SARIFRenderer(
                toolName: "devflow-agents", toolVersion: DevFlowVersion.current,
                informationURI: "https://github.com/devflow/devflow/blob/main/docs/agents.md", rules: rules,
                sources: [:])
            return renderer.render(findings.map(diagnostic))
        }
    }

    /// A finding as a diagnostic, for the shared renderers: high → error, medium → warning, low → note.
    static func diagnostic(_ finding: FindingRecord) -> Diagnostic {
        let severity: DevFlowDiagnostics.Severity =
            finding.severity == "high" ? .error : finding.severity == "medium" ? .warning : .info
        let start = SourcePosition(line: max(1, finding.line), column: max(1, finding.column), offset: 0)
        let end = SourcePosition(line: max(1, finding.endLine), column: max(1, finding.endColumn), offset: 0)
        return Diagnostic(
            id: DiagnosticID(code: finding.rule, name: finding.rule), severity: severity, message: finding.message,
            span: SourceSpan(file: finding.file.isEmpty ? "." : finding.file, start: start, end: max(start, end)))
    }

    /// A markdown table under a `### title` heading, for a pull-request comment.
    public static func markdown(_ findings: [FindingRecord], title: String) -> String {
        guard !findings.isEmpty else { return "### \(title): no findings\n" }
        var text = "### \(title): \(findings.count) finding\(findings.count == 1 ? "" : "s")\n\n"
        text += "| severity | rule | where | step | message |\n|---|---|---|---|---|\n"
        for finding in findings {
            let place = finding.file.isEmpty ? "-" : "`\(finding.file):\(finding.line)`"
            let message = finding.message.replacingOccurrences(of: "|", with: "\\|")
            text += "| \(finding.severity) | `\(finding.rule)` | \(place) | \(finding.nodeId) | \(message) |\n"
        }
        var shown = Set<String>()
        for finding in findings {
            guard let fix = finding.fix, !fix.isEmpty, shown.insert(fix).inserted else { continue }
            text += "\n<details><summary>fix for `\(finding.rule)` at \(finding.file):\(finding.line)</summary>\n\n"
            text += "```diff\n\(fix)\(fix.hasSuffix("\n") ? "" : "\n")```\n\n</details>\n"
        }
        return text
    }
}
