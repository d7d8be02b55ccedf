import DevFlowGraph
import Foundation

/// Everything a built-in agent may look at: its `with:` inputs, the workspace, the git changes (computed only when
/// asked for) and the run history of the pipeline (for `performance-optimizer`).
public struct AgentRequest {
    /// The interpolated `with:` inputs.
    public var inputs: [String: JSONValue]
    /// Absolute path of the workspace (the repository's working tree).
    public var workspace: String
    /// The changed lines of the event's git comparison; called at most once, only for `scope: changes`.
    public var changes: () throws -> AgentScope
    /// Finished runs of this pipeline, newest first; empty outside a pipeline.
    public var history: () throws -> PipelineHistory
    /// The running pipeline's graph (with its source map), when the agent runs inside a pipeline.
    public var graph: ExecutionGraph?
    /// The id of the node the agent runs as, when inside a pipeline.
    public var node: String?

    /// Creates a request.
    public init(
        inputs: [String: JSONValue], workspace: String, changes: @escaping () throws -> AgentScope,
        history: @escaping () throws -> PipelineHistory = { PipelineHistory(runs: []) },
        graph: ExecutionGraph? = nil, node: String? = nil
    ) {
        self.inputs = inputs
        self.workspace = workspace
        self.changes = changes
        self.history = history
        self.graph = graph
        self.node = node
    }

    /// `scope` input: the changed lines (default) or the whole workspace.
    func scope() throws -> AgentScope {
        switch string("scope") ?? "changes" {
        case "changes": return try changes()
        case "all": return AgentScope.all(in: workspace)
        case let other: throw BuiltInAgentError("scope '\(other)' is not 'changes' or 'all'")
        }
    }

    /// A string input, if given and not empty.
    func string(_ name: String) -> String? {
        guard let value = inputs[name], value != .null else { return nil }
        let text = value.interpolated
        return text.isEmpty ? nil : text
    }

    /// A boolean input (`true`/`false`, `yes`/`no`, `1`/`0`).
    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        switch inputs[name] {
        case nil, .null?: return fallback
        case .bool(let value)?: return value
        case let value?:
            switch value.interpolated.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            case let other: throw BuiltInAgentError("\(name) must be true or false, found '\(other)'")
            }
        }
    }

    /// A number input.
    func number(_ name: String, default fallback: Double) throws -> Double {
        switch inputs[name] {
        case nil, .null?: return fallback
        case .number(let value)?: return value
        case let value?:
            var text = value.interpolated.trimmingCharacters(in: .whitespaces)
            let percent = text.hasSuffix("%")
            if percent { text.removeLast() }
            guard let parsed = Double(text) else {
                throw BuiltInAgentError("\(name) must be a number, found '\(value.interpolated)'")
            }
            return percent ? parsed / 100 : parsed
        }
    }

    /// A list of strings: a YAML list, or one comma-separated string.
    func strings(_ name: String) -> [String]? {
        switch inputs[name] {
        case nil, .null?: return nil
        case .array(let items)?: return items.map(\.interpolated)
        case let value?:
            return value.interpolated.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
    }

    /// A list of objects (`rules:`, `mappings:`…); a single object counts as a list of one.
    func objects(_ name: String) throws -> [[String: JSONValue]] {
        switch inputs[name] {
        case nil, .null?: return []
        case .object(let object)?: return [object]
        case .array(let items)?:
            return try items.enumerated().map { index, item in
                guard case .object(let object) = item else {
                    throw BuiltInAgentError("\(name)[\(index)] must be a mapping, found '\(item.interpolated)'")
                }
                return object
            }
        case let value?:
            throw BuiltInAgentError("\(name) must be a list of mappings, found '\(value.interpolated)'")
        }
    }

    /// `fail_on` input: the lowest severity that fails the step.
    func failOn(default fallback: Finding.Severity) throws -> Finding.Severity {
        let text = string("fail_on") ?? fallback.rawValue
        guard let severity = Finding.Severity(rawValue: text) else {
            throw BuiltInAgentError("fail_on '\(text)' is not low, medium or high")
        }
        return severity
    }

    /// An absolute path for a workspace-relative one.
    func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(workspace)/\(path)" }
}

extension JSONValue {
    /// A list of strings given as one string or a list (one entry is never split: a glob or a regular expression
    /// may hold commas); nil for anything else.
    var stringList: [String]? {
        switch self {
        case .array(let items): items.map(\.interpolated)
        case .string(let text): [text]
        default: nil
        }
    }
}
