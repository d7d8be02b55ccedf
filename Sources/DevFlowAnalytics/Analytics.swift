import DevFlowStore
import Foundation

/// DORA and insights read from a store: the entry point the CLI, the API and the dashboard share.
public struct Analytics: Sendable {
    /// The store.
    public let source: any AnalyticsSource

    /// Creates analytics over `source`.
    public init(source: any AnalyticsSource) { self.source = source }

    /// The DORA report of `repository` (nil: all) and `environment` (nil: all) over `window`.
    public func dora(
        repository: String? = nil, environment: String? = nil, window: AnalyticsWindow, dora: DORA = DORA()
    ) throws -> DORAReport {
        var scope = AnalyticsScope(
            repository: repository, since: window.since.addingTimeInterval(-DORA.lookback), until: window.until)
        // Only runs of graphs that deploy are read: a CI pipeline's runs (most of them) never are.
        let graphs = try GraphCache(source: source, hashes: try source.graphHashes(scope))
        let deploying = graphs.deployingNodes.filter { !$0.value.isEmpty }
        scope.graphHashes = Set(deploying.keys)
        let runs = deploying.isEmpty ? [] : try source.analyticsRuns(scope)
        let nodeIds = Set(deploying.values.flatMap(\.keys))
        let nodes = nodeIds.isEmpty ? [] : try source.analyticsNodes(scope, nodes: nodeIds)
        let deployments = Deployment.find(runs: runs, nodes: nodes, deployingNodes: deploying)
        return dora.report(deployments, window: window, repository: repository, environment: environment)
    }

    /// The insights of `pipeline` (in `repository`, or all) over `window`.
    public func insights(pipeline: String, repository: String? = nil, window: AnalyticsWindow) throws
        -> InsightsReport
    {
        let scope = AnalyticsScope(repository: repository, pipeline: pipeline, since: window.since, until: window.until)
        let runs = try source.analyticsRuns(scope)
        let graphs = try GraphCache(source: source, hashes: Set(runs.map(\.graphHash)))
        let history = Insights.History(
            runs: runs, nodes: try source.analyticsNodes(scope, nodes: nil),
            attempts: try source.analyticsAttempts(scope, nodes: nil),
            findings: try source.analyticsFindings(scope, nodes: nil),
            tokens: try source.analyticsOutputs(scope, named: "tokens", nodes: nil),
            transitions: try source.breakerTransitions(since: window.since, until: window.until),
            graphs: graphs.graphs)
        return Insights().report(pipeline: pipeline, repository: repository, window: window, history: history)
    }

    /// The JSON of a report as the CLI and the API write it: snake_case keys, ISO 8601 times, sorted keys.
    public static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
