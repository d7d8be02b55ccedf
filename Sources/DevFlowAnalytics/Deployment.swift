import DevFlowGraph
import DevFlowStore
import Foundation

/// One deployment: a node with `deployment: ENVIRONMENT` that ran to an end (succeeded or failed) in a run.
public struct Deployment: Codable, Sendable, Equatable {
    /// The run.
    public var run: Int64
    /// The deploying node.
    public var node: String
    /// The repository (nil for a local run).
    public var repository: String?
    /// The environment it deployed to.
    public var environment: String
    /// The commit it deployed.
    public var commit: String?
    /// The branch it deployed from.
    public var branch: String?
    /// The commit's author time (seconds since 1970).
    public var commitTime: Double?
    /// When the deploying node finished (seconds since 1970).
    public var finishedAt: Double
    /// Whether the deploying node succeeded.
    public var succeeded: Bool
    /// How its run ended.
    public var runStatus: RunStatus

    /// Creates a deployment.
    public init(
        run: Int64, node: String, repository: String?, environment: String, commit: String?, branch: String?,
        commitTime: Double?, finishedAt: Double, succeeded: Bool, runStatus: RunStatus
    ) {
        self.run = run
        self.node = node
        self.repository = repository
        self.environment = environment
        self.commit = commit
        self.branch = branch
        self.commitTime = commitTime
        self.finishedAt = finishedAt
        self.succeeded = succeeded
        self.runStatus = runStatus
    }

    /// The deployments among `nodes` of `runs`, given each graph's deploying nodes (`[hash: [node: environment]]`),
    /// oldest first.
    public static func find(
        runs: [AnalyticsRun], nodes: [AnalyticsNode], deployingNodes: [String: [String: String]]
    ) -> [Deployment] {
        let runsByID = Dictionary(runs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var deployments: [Deployment] = []
        for node in nodes where node.status.ran {
            guard let run = runsByID[node.runId], let finishedAt = node.finishedAt,
                let environment = deployingNodes[run.graphHash]?[node.nodeId]
            else { continue }
            deployments.append(
                Deployment(
                    run: run.id, node: node.nodeId, repository: run.repository, environment: environment,
                    commit: run.commit, branch: run.branch, commitTime: run.commitTime, finishedAt: finishedAt,
                    succeeded: node.status == .succeeded, runStatus: run.status))
        }
        return deployments.sorted { ($0.finishedAt, $0.run) < ($1.finishedAt, $1.run) }
    }
}

/// Graphs decoded once per hash: a window of 100,000 runs usually has a handful of distinct configurations.
struct GraphCache {
    private(set) var graphs: [String: ExecutionGraph] = [:]

    /// Decodes the graphs of `hashes` read from `source`; a graph that no longer decodes is left out.
    init(source: any AnalyticsSource, hashes: Set<String>) throws {
        for (hash, json) in try source.graphs(hashes: hashes) {
            if let graph = ExecutionGraph.decoded(fromJSON: json) { graphs[hash] = graph }
        }
    }

    /// `[hash: [node: environment]]` for every node with `deployment:`.
    var deployingNodes: [String: [String: String]] {
        graphs.mapValues { graph in
            Dictionary(
                graph.nodes.compactMap { node in node.deployment.map { (node.id, $0) } },
                uniquingKeysWith: { first, _ in first })
        }
    }
}
