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
