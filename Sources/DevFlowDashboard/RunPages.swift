import DevFlowDiagnostics
import DevFlowGraph
import DevFlowStore
import Foundation

/// The filters of the runs list, as the query gave them.
public struct RunListFilters: Sendable {
    /// `repository=`.
    public var repository: String?
    /// `branch=`.
    public var branch: String?
    /// `status=` (already checked against `RunStatus`).
    public var status: RunStatus?
    /// `event=`.
    public var event: String?

    /// Creates filters.
    public init(repository: String? = nil, branch: String? = nil, status: RunStatus? = nil, event: String? = nil) {
        self.repository = repository
        self.branch = branch
        self.status = status
        self.event = event
    }

    /// Whether any filter is set.
    public var isEmpty: Bool { repository == nil && branch == nil && status == nil && event == nil }

    /// The query string of these filters plus `extra` (`?repository=acme%2Fapp&before=12`).
    func query(_ extra: [(String, String)] = []) -> String {
        var components = URLComponents()
        let items = [
            ("repository", repository), ("branch", branch), ("status", status?.rawValue), ("event", event),
        ].compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        components.queryItems = items + extra.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.percentEncodedQuery.map { "?" + $0 } ?? ""
    }
}

extension DashboardPage {
    /// The runs list: one page of `runs` (newest first); `hasMore` links to older ones.
    public static func runs(
        _ runs: [RunListing], filters: RunListFilters, hasMore: Bool, firstPage: Bool, lastEventID: Int64 = 0
    ) -> DashboardPage {
        let rows = runs.map { run -> [String: Any] in
            [
                "id": String(run.id), "status": run.status.rawValue,
                "statusLabel": DisplayFormat.label(run.status.rawValue),
                // A run whose pipeline never compiled (config_error) has no name yet: its file says which it is.
                "pipeline": run.pipeline.isEmpty ? run.file : run.pipeline, "repository": run.repository ?? "",
                "branch": run.branch ?? "",
                "commit": run.commit ?? "", "shortCommit": DisplayFormat.shortCommit(run.commit),
                "trigger": run.eventSummary ?? run.eventKind, "queuedAt": run.queuedAt,
                "queuedText": DisplayFormat.text(iso: run.queuedAt), "startedAt": run.startedAt ?? "",
                "finishedAt": run.finishedAt ?? "",
                "durationText": DisplayFormat.duration(milliseconds: run.durationMs),
            ].filter { key, value in key != "commit" || !(value as? String ?? "").isEmpty }
        }
        let statuses =
            [["value": "", "label": "any", "selected": filters.status == nil]]
            + RunStatus.allCases.map { status -> [String: Any] in
                [
                    "value": status.rawValue, "label": DisplayFormat.label(status.rawValue),
                    "selected": filters.status == status,
                ]
            }
        let next = hasMore ? filters.query([("before", String(runs.last?.id ?? 0))]) : nil
        return DashboardPage(
            "runs", title: "Runs",
            [
                "runs": rows, "statuses": statuses, "filtered": !filters.isEmpty, "lastEventID": String(lastEventID),
                "live": filters.isEmpty && firstPage ? "true" : "false", "next": next.map { "/" + $0 },
                "filters": [
                    "repository": filters.repository ?? "", "branch": filters.branch ?? "",
                    "event": filters.event ?? "",
                ],
                "emptyText": filters.isEmpty
                    ? "No runs yet. Push to a configured repository, or trigger one with `devflow trigger`."
                    : "No run matches these filters.",
            ])
    }

    /// A run's page: facts, graph, steps, attempts, outputs, findings and, for a `config_error` run, its diagnostics.
    public static func run(
        _ run: RunRecord, nodes: [NodeRecord], attempts: [AttemptRecord], outputs: [String: [String: String]],
        findings: [FindingRecord], canCancel: Bool, lastEventID: Int64 = 0
    ) -> DashboardPage {
        let id = String(run.id ?? 0)
        let summary = QueuedSummary.of(run.event)
        let facts: [String: Any?] = [
            "id": id, "pipeline": run.pipeline.isEmpty ? run.file : run.pipeline, "status": run.status.rawValue,
            "statusLabel": DisplayFormat.label(run.status.rawValue), "statusReason": run.statusReason,
            "repository": run.repository, "branch": run.gitBranch, "commit": run.gitCommit,
            "shortCommit": DisplayFormat.shortCommit(run.gitCommit), "trigger": summary,
            "queuedAt": DisplayFormat.iso(run.queuedAt), "queuedText": DisplayFormat.text(run.queuedAt),
            "startedAt": run.startedAt.map(DisplayFormat.iso), "startedText": DisplayFormat.text(run.startedAt),
            "finishedAt": run.finishedAt.map(DisplayFormat.iso), "finishedText": DisplayFormat.text(run.finishedAt),
            "durationText": DisplayFormat.duration(from: run.startedAt, to: run.finishedAt),
            "rerunOf": run.rerunOf.map(String.init),
        ]
        let nodeRows = nodes.map { node -> [String: Any] in
            [
                "id": node.nodeId, "pathId": DisplayFormat.pathSegment(node.nodeId), "runId": id,
                "status": node.status.rawValue, "statusLabel": DisplayFormat.label(node.status.rawValue),
                "attempts": String(node.attempts),
                "durationText": DisplayFormat.duration(from: node.startedAt, to: node.finishedAt),
                "reason": node.reason ?? "",
            ].merging(node.summary.map { ["summary": $0] } ?? [:]) { first, _ in first }
        }
        let attemptRows = attempts.map { attempt -> [String: Any] in
            [
                "node": attempt.nodeId, "number": String(attempt.number), "status": attempt.status,
                "exit": attempt.exitCode.map(String.init) ?? attempt.signal.map { "signal \($0)" } ?? "",
                "durationText": DisplayFormat.duration(seconds: Double(attempt.durationMs) / 1000),
                "retryReason": attempt.retryReason ?? "", "error": attempt.error ?? "",
            ]
        }
        let outputRows = outputs.keys.sorted().flatMap { node in
            (outputs[node] ?? [:]).sorted { $0.key < $1.key }.map { name, value -> [String: Any] in
                ["node": node, "name": name, "value": value]
            }
        }
        let findingRows = findings.map { finding -> [String: Any] in
            [
                "severity": finding.severity, "rule": finding.rule, "message": finding.message, "node": finding.nodeId,
                "location": finding.line > 0 ? "\(finding.file):\(finding.line)" : finding.file,
            ]
        }
        let diagnostics = diagnosticRows(run)
        let path = criticalPath(run, nodes: nodes)
        return DashboardPage(
            "run", title: "Run #\(id) \(run.pipeline)",
            [
                "run": facts.compactMapValues { $0 }, "canCancel": canCancel && !run.status.isFinished,
                "lastEventID": String(lastEventID),
                "nodes": nodeRows, "hasNodes": !nodeRows.isEmpty, "attempts": attemptRows,
                "hasAttempts": !attemptRows.isEmpty, "outputs": outputRows, "hasOutputs": !outputRows.isEmpty,
                "findings": findingRows, "hasFindings": !findingRows.isEmpty, "diagnostics": diagnostics,
                "hasDiagnostics": !diagnostics.isEmpty, "criticalPathJSON": jsonArray(path),
                "criticalPathText": path.count > 1 ? path.joined(separator: " → ") : nil,
            ])
    }

    /// The log page of one node.
    public static func log(run: RunRecord, node: NodeRecord) -> DashboardPage {
        let running = !run.status.isFinished && !node.status.isFinished
        return DashboardPage(
            "log", title: "\(node.nodeId) · run #\(run.id ?? 0)",
            [
                "runId": String(run.id ?? 0), "node": node.nodeId, "pathNode": DisplayFormat.pathSegment(node.nodeId),
                "status": node.status.rawValue, "statusLabel": DisplayFormat.label(node.status.rawValue),
                "running": running ? "true" : "false",
            ])
    }

    /// The stored diagnostics of a `config_error` run, as `file:line:column`, rule and message.
    static func diagnosticRows(_ run: RunRecord) -> [[String: Any]] {
        guard let json = run.diagnostics,
            let diagnostics = try? JSONDecoder().decode([Diagnostic].self, from: Data(json.utf8))
        else { return [] }
        return diagnostics.map { diagnostic in
            [
                "severity": diagnostic.severity.rawValue, "rule": diagnostic.id.description,
                "message": diagnostic.message,
                "location": "\(run.file):\(diagnostic.span.start.line):\(diagnostic.span.start.column)",
            ]
        }
    }

    /// The run's critical path by its nodes' durations so far (empty when the graph cannot be read).
    static func criticalPath(_ run: RunRecord, nodes: [NodeRecord]) -> [String] {
        guard !run.graphJSON.isEmpty, let graph = ExecutionGraph.decoded(fromJSON: run.graphJSON) else { return [] }
        var durations: [String: Double] = [:]
        for node in nodes {
            if let start = node.startedAt, let end = node.finishedAt {
                durations[node.nodeId] = end.timeIntervalSince(start)
            }
        }
        guard !durations.isEmpty else { return [] }
        return graph.criticalPath(durations: durations).nodes
    }

    static func jsonArray(_ strings: [String]) -> String {
        let data = (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The one-line summary of a stored event (`push to branch 'main' by ada`), else its kind.
enum QueuedSummary {
    static func of(_ event: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else {
            return "unknown"
        }
        if let summary = object["summary"] as? String, !summary.isEmpty { return summary }
        return object["kind"] as? String ?? "unknown"
    }
}
