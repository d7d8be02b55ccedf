import DevFlowAgents
import DevFlowGraph
import DevFlowStore
import Foundation

/// Reads a pipeline's finished runs from the store for `performance-optimizer`.
public enum RunHistory {
    /// The newest `limit` finished runs of `pipeline` (succeeded or failed), other than run `excluding`.
    public static func load(from store: any RunStore, pipeline: String, excluding: Int64, limit: Int = 50) throws
        -> PipelineHistory
    {
        var runs: [PipelineHistory.Run] = []
        // Runs of other pipelines share the table: read a generous window and keep this pipeline's.
        for record in try store.runs(limit: limit * 10) {
            guard runs.count < limit, let id = record.id, id != excluding, record.pipeline == pipeline,
                record.status == .succeeded || record.status == .failed
            else { continue }
            let outputs = try store.outputs(run: id)
            let nodes = try store.nodes(run: id).map { node in
                PipelineHistory.Node(
                    id: node.nodeId, status: node.status.rawValue, attempts: node.attempts, startedAt: node.startedAt,
                    finishedAt: node.finishedAt, outputs: outputs[node.nodeId] ?? [:])
            }
            let graph = ExecutionGraph.decoded(fromJSON: record.graphJSON)
            runs.append(
                PipelineHistory.Run(
                    id: id, status: record.status.rawValue, commit: record.gitCommit, startedAt: record.startedAt,
                    finishedAt: record.finishedAt, graph: graph, nodes: nodes))
        }
        return PipelineHistory(runs: runs)
    }
}
