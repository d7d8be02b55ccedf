import DevFlowAgents
import DevFlowGraph
import Foundation

/// The versioned JSON an agent receives on stdin (see docs/agents.md).
public struct AgentContext: Codable, Sendable {
    /// The protocol version this runner speaks.
    public static let version = 1

    /// Protocol version.
    public var version: Int
    /// Run, pipeline, step, node and attempt.
    public var run: [String: String]
    /// The event: kind, branch, base branch, tag, hook.
    public var event: [String: String]
    /// Changed paths, when known.
    public var changedPaths: [String]?
    /// The workspace path.
    public var workspace: String
    /// The interpolated `with:` inputs.
    public var inputs: [String: JSONValue]
    /// Built-in agents only (their child process, docs/agents.md): the built-in to run.
    public var agent: String? = nil
    /// Built-in agents only: the running graph with its source map (findings are anchored to steps with it).
    public var graph: ExecutionGraph? = nil
    /// Built-in agents only, and only for `performance-optimizer`: this pipeline's finished runs, newest first.
    public var history: PipelineHistory? = nil

    /// The context of one attempt, encoded.
    static func make(node: Node, request: RunRequest, runId: Int64, attempt: Int, inputs: [String: JSONValue]) -> Data {
        var event = ["kind": request.event.kind]
        if let branch = request.event.branch { event["branch"] = branch }
        if let base = request.event.baseBranch { event["base_branch"] = base }
        if let tag = request.event.tag { event["tag"] = tag }
        if let hook = request.event.hook { event["hook"] = hook }
        if let commit = request.gitCommit { event["sha"] = commit }
        let context = Self(
            version: version,
            run: [
                "id": String(runId), "pipeline": request.graph.name, "step": node.step, "node": node.id,
                "attempt": String(attempt),
            ],
            event: event, changedPaths: request.event.changedPaths, workspace: request.workspace, inputs: inputs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(context)) ?? Data("{}".utf8)
    }
}

/// What an agent answers on stdout.
public struct AgentResult: Codable, Sendable {
    /// One finding.
    public struct Finding: Codable, Sendable {
        /// Rule id.
        public var rule: String
        /// `info`, `low`, `medium`, `high` or `error`-style severity text.
        public var severity: String
        /// Repository-relative file.
        public var file: String?
        /// 1-based line.
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

    /// Protocol version (must be 1).
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
}
