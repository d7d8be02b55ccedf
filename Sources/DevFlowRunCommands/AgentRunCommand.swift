import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import DevFlowStore
import Foundation

/// `devflow agent run NAME [--with k=v…] [--base REV] [--format …]`: one built-in agent on the current repository,
/// outside a pipeline.
public enum AgentRunCommand {
    /// Runs the agent; exit 0 success, 1 failure (findings at or above `fail_on`), 2 usage or agent error.
    public static func run(
        name: String, with assignments: [String], base: String?, format: String,
        directory: String = FileManager.default.currentDirectoryPath
    ) -> StoreCommands.Output {
        guard ["text", "json", "sarif", "github", "markdown"].contains(format) else {
            return .init(
                text: "",
                errors: "devflow: unknown format '\(format)'; expected text, json, sarif, github or markdown\n", code: 2
            )
        }
        var inputs: [String: JSONValue] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                return .init(text: "", errors: "devflow: --with takes KEY=VALUE, found '\(assignment)'\n", code: 2)
            }
            let key = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...])
            if key == "allowlist" {
                inputs[key] = .array(value.split(separator: ",").map { .string(String($0)) })
            } else {
                inputs[key] = .string(value)
            }
        }
        let comparison: GitComparison =
            base.map { .pullRequest(head: "HEAD", target: $0) } ?? .push(before: "", after: "HEAD")
        let result: BuiltInAgentResult
        do {
            result = try BuiltInAgents.run(name, inputs: inputs, workspace: directory) {
                try AgentScope.changes(in: directory, comparison: comparison)
            }
        } catch let error as GitError {
            return .init(
                text: "", errors: "devflow: \(error.message); use --with scope=all outside a git repository\n", code: 2)
        } catch {
            return .init(text: "", errors: "devflow: \(error)\n", code: 2)
        }
        let records = result.findings.map { finding in
            FindingRecord(
                runId: 0, nodeId: name, attempt: 1, rule: finding.rule, severity: finding.severity.rawValue,
                file: finding.file,
                line: finding.line, column: finding.column, endLine: finding.endLine, endColumn: finding.endColumn,
                message: finding.message)
        }
        let text: String
        switch format {
        case "text": text = result.summary + "\n"
        case "markdown": text = FindingsCommand.markdown(records, title: "\(name): \(result.status)")
        default: text = FindingsCommand.format(records, as: format)
        }
        return .init(text: text, code: result.status == "success" ? 0 : result.status == "failure" ? 1 : 2)
    }
}
