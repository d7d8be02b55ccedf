import DevFlowCompiler
import DevFlowGraph
import DevFlowStore
import Foundation

/// How the API shows the store's records: snake_case keys, ISO 8601 times, null for what is unknown. One function
/// per record, so the OpenAPI document's schemas have one place to match.
enum APIRepresentations {
    static func time(_ date: Date?) -> JSONBody { date.map { .string(StoredDate.iso8601($0)) } ?? .null }
    static func text(_ value: String?) -> JSONBody { value.map { .string($0) } ?? .null }
    static func integer<T: BinaryInteger>(_ value: T?) -> JSONBody { value.map { .number(Double($0)) } ?? .null }

    /// A run in a listing.
    static func runSummary(_ run: RunRecord) -> JSONBody {
        let duration: JSONBody =
            if let started = run.startedAt, let finished = run.finishedAt {
                .number((finished.timeIntervalSince(started) * 1000).rounded())
            } else {
                .null
            }
        return .object([
            "id": integer(run.id), "pipeline": .string(run.pipeline), "file": .string(run.file),
            "repository": text(run.repository), "ref": text(run.ref), "branch": text(run.gitBranch),
            "commit": text(run.gitCommit), "status": .string(run.status.rawValue),
            "status_reason": text(run.statusReason), "event": .string(eventKind(run.event)),
            "queued_at": time(run.queuedAt), "started_at": time(run.startedAt), "finished_at": time(run.finishedAt),
            "duration_ms": duration, "cancel_requested": text(run.cancelRequested),
            "paused": .bool(run.pausedAt != nil), "paused_at": time(run.pausedAt), "rerun_of": integer(run.rerunOf),
            "url": .string("/api/v1/runs/\(run.id ?? 0)"),
        ])
    }

    /// A run in a listing, from the store's summary of it.
    static func runSummary(_ run: RunListing) -> JSONBody {
        .object([
            "id": .number(Double(run.id)), "pipeline": .string(run.pipeline), "file": .string(run.file),
            "repository": text(run.repository), "ref": text(run.ref), "branch": text(run.branch),
            "commit": text(run.commit), "status": .string(run.status.rawValue), "status_reason": text(run.statusReason),
            "event": .string(run.eventKind), "queued_at": .string(run.queuedAt), "started_at": text(run.startedAt),
            "finished_at": text(run.finishedAt), "duration_ms": integer(run.durationMs),
            "cancel_requested": text(run.cancelRequested), "paused": .bool(run.pausedAt != nil),
            "paused_at": text(run.pausedAt), "rerun_of": integer(run.rerunOf), "url": .string("/api/v1/runs/\(run.id)"),
        ])
    }

    /// One run with everything the store knows of it.
    static func runDetail(
        _ run: RunRecord, nodes: [NodeRecord], attempts: [AttemptRecord], outputs: [String: [String: String]],
        findings: [FindingRecord]
    ) -> JSONBody {
        guard case .object(var object) = runSummary(run) else { return .null }
        object["event"] = JSONValue.parse(run.event) ?? .string(run.event)
        object["event_kind"] = .string(eventKind(run.event))
        object["graph_hash"] = .string(run.graphHash)
        object["graph"] = run.graphJSON.isEmpty ? .null : (JSONValue.parse(run.graphJSON) ?? .null)
        object["diagnostics"] = run.diagnostics.flatMap(JSONValue.parse) ?? .array([])
        object["resumed_from"] = integer(run.resumedFrom)
        object["rerun_from"] = text(run.rerunFrom)
        object["concurrency_group"] = text(run.concurrencyGroup)
        object["worker"] = text(run.workerId)
        object["claims"] = .number(Double(run.claims))
        object["without_secrets"] = .bool(run.withoutSecrets)
        object["nodes"] = .array(nodes.map { node($0, outputs: outputs[$0.nodeId] ?? [:]) })
        object["attempts"] = .array(attempts.map(attempt))
        object["findings"] = .array(findings.map(finding))
        return .object(object)
    }

    static func node(_ node: NodeRecord, outputs: [String: String]) -> JSONBody {
        .object([
            "id": .string(node.nodeId), "status": .string(node.status.rawValue), "reason": text(node.reason),
            "attempts": .number(Double(node.attempts)), "started_at": time(node.startedAt),
            "finished_at": time(node.finishedAt), "allowed_failure": .bool(node.allowedFailure),
            "summary": text(node.summary), "outputs": .object(outputs.mapValues { .string($0) }),
        ])
    }

    static func attempt(_ attempt: AttemptRecord) -> JSONBody {
        .object([
            "node": .string(attempt.nodeId), "number": .number(Double(attempt.number)),
            "status": .string(attempt.status.rawValue), "exit_code": integer(attempt.exitCode),
            "signal": integer(attempt.signal),
            "started_at": time(attempt.startedAt), "finished_at": time(attempt.finishedAt),
            "duration_ms": .number(Double(attempt.durationMs)), "retry_reason": text(attempt.retryReason),
            "error": text(attempt.error),
        ])
    }

    static func finding(_ finding: FindingRecord) -> JSONBody {
        .object([
            "node": .string(finding.nodeId), "attempt": .number(Double(finding.attempt)), "rule": .string(finding.rule),
            "severity": .string(finding.severity), "file": .string(finding.file), "line": .number(Double(finding.line)),
            "column": .number(Double(finding.column)), "end_line": .number(Double(finding.endLine)),
            "end_column": .number(Double(finding.endColumn)), "message": .string(finding.message),
            "fix": text(finding.fix),
        ])
    }

    static func breaker(_ breaker: BreakerRecord, transitions: [BreakerTransitionRecord]) -> JSONBody {
        .object([
            "name": .string(breaker.name), "state": .string(breaker.state), "mode": .string(breaker.mode),
            "opened_at": time(breaker.openedAt), "updated_at": time(breaker.updatedAt),
            "transitions": .array(
                transitions.map { transition in
                    .object([
                        "from": .string(transition.fromState), "to": .string(transition.toState),
                        "reason": .string(transition.reason), "at": time(transition.at),
                        "run": integer(transition.runId),
                    ])
                }),
        ])
    }

    static func delivery(_ delivery: DeliveryRecord) -> JSONBody {
        .object([
            "id": integer(delivery.id), "forge": .string(delivery.forge), "delivery_key": .string(delivery.deliveryKey),
            "event": .string(delivery.eventName), "repository": .string(delivery.repository),
            "received_at": time(delivery.receivedAt), "outcome": .string(delivery.outcome.rawValue),
            "reason": text(delivery.reason), "run": integer(delivery.runId),
        ])
    }

    /// A configured repository and its queue's state.
    static func repository(_ entry: ServerConfiguration.Repository, pause: RepositoryPause?) -> JSONBody {
        .object([
            "name": .string(entry.name), "forge": .string(entry.forge.rawValue),
            "default_branch": .string(entry.defaultBranch), "pipeline": .string(entry.pipeline),
            "paused": .bool(pause != nil), "paused_at": time(pause?.pausedAt), "paused_by": text(pause?.actor),
            "pause_reason": text(pause?.reason),
        ])
    }

    static func token(_ token: APITokenRecord) -> JSONBody {
        .object([
            "name": .string(token.name), "role": .string(token.role.rawValue), "created_at": time(token.createdAt),
            "expires_at": time(token.expiresAt), "last_used_at": time(token.lastUsedAt),
            "revoked_at": time(token.revokedAt),
        ])
    }

    static func audit(_ entry: AuditRecord) -> JSONBody {
        .object([
            "id": integer(entry.id), "at": time(entry.at), "actor": .string(entry.actor),
            "action": .string(entry.action),
            "target": .string(entry.target), "address": .string(entry.address), "details": text(entry.details),
        ])
    }

    /// The `kind` of a stored event (`push`, `pull_request`, `manual`…).
    static func eventKind(_ event: String) -> String {
        if case .object(let object) = JSONValue.parse(event), case .string(let kind) = object["kind"] { return kind }
        return "unknown"
    }
}
