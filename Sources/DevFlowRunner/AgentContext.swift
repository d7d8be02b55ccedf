import DevFlowAgents
import DevFlowGraph
import DevFlowStepIO
import Foundation

/// The versioned JSON an agent receives on stdin (see docs/agents.md).
public struct AgentContext: Codable, Sendable {
    /// The protocol version this runner speaks.
    public static let version = AgentAnswer.version

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
