import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// `devflow agent run NAME [--with k=v…] [--base REV] [--format …]`: one built-in agent on the current repository,
/// outside a pipeline.
public enum AgentRunCommand {
    /// Runs the agent; exit 0 success, 1 failure (findings at or above `fail_on`), 2 usage or agent error.
    public static func run(
        name: String, with assignments: [String], base: String?, format: String, databasePath: String? = nil,
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
            } else if value.hasPrefix("[") || value.hasPrefix("{"),
                let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(value.utf8))
            {
                inputs[key] = parsed  // lists and mappings (rules, mappings, formatters) as JSON
            } else {
                inputs[key] = .string(value)
            }
        }
        let comparison: GitComparison =
            base.map { .pullRequest(head: "HEAD", target: $0) } ?? .push(before: "", after: "HEAD")
        let result: BuiltInAgentResult
        do {
            let database = databasePath ?? RunCommands.defaultDatabase(in: directory)
            let pipeline = inputs["pipeline"]?.interpolated
            let request = AgentRequest(
                inputs: inputs, workspace: directory,
                changes: { try AgentScope.changes(in: directory, comparison: comparison) },
                history: {
                    guard PostgresLocation.isPostgres(database) || FileManager.default.fileExists(atPath: database)
                    else { return PipelineHistory(runs: []) }
                    let store = try StoreLocation.open(database)
                    guard let name = try pipeline ?? store.runs(limit: 1).first?.pipeline else {
                        return PipelineHistory(runs: [])
                    }
                    return try RunHistory.load(from: store, pipeline: name, excluding: 0)
                })
            result = try BuiltInAgents.run(name, request: request)
        } catch let error as GitError {
            return .init(
                text: "", errors: "devflow: \(error.message); use --with scope=all outside a git repository\n", code: 2)
        } catch {
            return .init(text: "", errors: "devflow: \(error)\n", code: 2)
        }
        let records = result.findings.map { FindingRecord($0, runId: 0, nodeId: name, attempt: 1) }
        let text: String
        switch format {
        case "text": text = result.summary + "\n"
        case "markdown": text = FindingsCommand.markdown(records, title: "\(name): \(result.status)")
        default: text = FindingsCommand.format(records, as: format)
        }
        return .init(text: text, code: result.status == "success" ? 0 : result.status == "failure" ? 1 : 2)
    }
}
