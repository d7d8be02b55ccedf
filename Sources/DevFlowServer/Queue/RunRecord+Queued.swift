import DevFlowCompiler
import DevFlowStore
import Foundation

extension RunRecord {
    /// A queued run of `repository`: everything a worker needs, nothing compiled yet. `commit` is nil when the run
    /// names a ref only (a manual run); the worker then runs the ref's head.
    static func queued(
        repository: ServerConfiguration.Repository, event: QueuedEvent, commit: String?, ref: String,
        withoutSecrets: Bool = false, at now: Date
    ) -> RunRecord {
        RunRecord(
            id: nil, pipeline: "", file: repository.pipeline, graphHash: "", graphJSON: "", event: event.json,
            gitCommit: commit, gitBranch: event.branch, gitAuthorTime: nil, status: .queued, queuedAt: now,
            startedAt: nil, finishedAt: nil, pid: 0, host: "", heartbeatAt: now, resumedFrom: nil,
            repository: repository.name, ref: ref, withoutSecrets: withoutSecrets)
    }
}

extension RunRecord {
    /// A queued rerun of the finished server run `old`, at its commit with its event: `all` runs every step again,
    /// `failed` reuses its succeeded steps, `from` reuses them except the node and what needs it. Steps run even when
    /// their inputs are unchanged (a rerun is asked for by a person). Nil when `old` is not a server run.
    static func rerun(of old: RunRecord, mode: RerunMode, by actor: String, at now: Date) -> RunRecord? {
        guard let id = old.id, old.repository != nil, var event = QueuedEvent.decode(old.event) else { return nil }
        event.summary = "rerun (\(mode.name)) of run \(id) by \(actor): \(event.summary)"
        var record = RunRecord(
            id: nil, pipeline: "", file: old.file, graphHash: "", graphJSON: "", event: event.json,
            gitCommit: old.gitCommit, gitBranch: old.gitBranch, gitAuthorTime: nil, status: .queued, queuedAt: now,
            startedAt: nil, finishedAt: nil, pid: 0, host: "", heartbeatAt: now,
            resumedFrom: mode == .all ? nil : id, repository: old.repository, ref: old.ref,
            withoutSecrets: old.withoutSecrets, rerunOf: id)
        if case .from(let node) = mode { record.rerunFrom = node }
        return record
    }
}
