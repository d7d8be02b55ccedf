import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowForges
import DevFlowGit
import DevFlowGraph
import DevFlowLLMHost
import DevFlowRunCommands
import DevFlowRunner
import DevFlowStore
import DevFlowWebhooks
import Foundation

/// Runs one claimed run on this machine: mirror, checkout of the exact commit, compile and decide at that commit,
/// concurrency group, then the same `RunEngine` as `devflow run`, with the lease renewed while it runs.
///
/// Each worker keeps one workspace per repository (`workspaces/<repository>-w<slot>`), brought to the run's commit in
/// place and cleaned (`git clean -ffdx`) rather than written from scratch: a push that changes one file rewrites
/// one file. One worker runs one run at a time, so no two running runs share a workspace. A fork's pull request
/// gets a fresh workspace of its own, removed after the run, so nothing a trusted run left inside `.git` reaches it.
struct RunExecutor: Sendable {
    let context: ServerContext
    let worker: String
    /// The worker's index: its workspaces are its own.
    let slot: Int
    let statuses: CommitStatusPublisher

    /// What became of the claimed run.
    enum Outcome: Equatable {
        /// It ran to a final state.
        case finished(RunStatus)
        /// It ended before any step (config error, not triggered, checkout failure).
        case settled(RunStatus)
        /// Its concurrency group is busy: it went back to the queue.
        case waiting
        /// Its lease was lost before its steps started (another worker took it over): nothing of it is written here.
        case lost
    }

    /// Runs `run` under `lease`, which says when it was lost or asked to stop (see `LeaseRenewer`).
    func execute(_ run: RunRecord, lease: RunLease) async -> Outcome {
        guard let id = run.id else { return .settled(.failed) }
        guard let name = run.repository, let repository = context.settings.configuration.repository(named: name) else {
            return settle(id, .failed, "repository '\(run.repository ?? "?")' is no longer in the server configuration")
        }
        guard let event = QueuedEvent.decode(run.event) else {
            return settle(id, .failed, "the queued run has no event; it cannot be run")
        }
        let reuse = !event.fromFork
        let workspace = PathName.join(
            context.settings.dataDirectory,
            reuse ? "workspaces/\(ServerContext.slug(name))-w\(slot)" : "workspaces/run-\(id)")
        defer { if !reuse { try? FileManager.default.removeItem(atPath: workspace) } }
        let prepared: Prepared
        do {
            let executor = self
            // A bounded number of runs prepare at once: each holds a thread for blocking libgit2 work, and a burst
            // of thousands of claims must not start thousands of threads.
            let preparations = context.preparations
            guard await preparations.acquire(cancellation: lease.cancellation) else {
                return lease.isLost ? .lost : settle(id, .cancelled, "cancelled before it started")
            }
            defer { preparations.release() }
            prepared = try await offPool {
                try executor.prepare(id, run: run, repository: repository, event: event, workspace: workspace)
            }
        } catch let handBack as NeedsLabels {
            try? context.queue.requireLabels(
                run: id, worker: worker, labels: handBack.labels, reason: handBack.reason(context: context))
            return .waiting
        } catch let error as Settlement {
            statuses.publish(
                run: run, repository: repository, state: error.status == .configError ? .failure : .error,
                description: error.reason)
            return settle(id, error.status, error.reason, diagnostics: error.diagnostics)
        } catch {
            statuses.publish(run: run, repository: repository, state: .error, description: "\(error)")
            return settle(id, .failed, "\(error)")
        }
        if lease.isLost { return .lost }
        var run = run
        run.gitCommit = prepared.commit
        switch prepared.admission {
        case .admitted: break
        case .busy:
            try? context.queue.release(run: id, worker: worker)
            return .waiting
        case .cancelled: return .settled(.cancelled)
        }
        let started = statuses.publish(run: run, repository: repository, state: .running, description: "running")
        let engine = RunEngine(
            request: prepared.request, store: context.store,
            executor: ProcessStepExecutor(
                killGrace: 5, agents: BuiltInAgentHost(killGrace: 5, llm: LLMAgentHost()),
                processes: context.processes))
        let stop = lease.cancellation.onCancel { graceful in engine.cancellation.cancel(graceful: graceful) }
        defer { lease.cancellation.remove(stop) }
        let shutdown = context.shutdown.onShutdown { graceful in engine.cancellation.cancel(graceful: graceful) }
        defer { context.shutdown.remove(shutdown) }
        let status: RunStatus
        do {
            status = try await engine.run().status
        } catch {
            // A run taken over by another worker is theirs: its old worker writes nothing more to it.
            if lease.isLost { return .lost }
            return settle(id, .failed, "\(error)")
        }
        let final: CommitState =
            switch status {
            case .succeeded: .success
            case .cancelled: .cancelled
            default: .failure
            }
        statuses.publish(
            run: run, repository: repository, state: final, description: status.rawValue, after: started)
        return .finished(status)
    }

    /// A run that is ready for the engine.
    struct Prepared: @unchecked Sendable {
        var request: RunRequest
        var commit: String
        /// What its concurrency group decided.
        var admission: GroupAdmission
    }

    /// The run asks for worker labels this worker lacks: it goes back to the queue for a worker that has them.
    struct NeedsLabels: Error {
        var labels: [String]
        var missing: [String]

        /// What the run waits for, and whether any registered worker could take it.
        func reason(context: ServerContext) -> String {
            let wanted = missing.joined(separator: ", ")
            let able = ((try? context.store.workers(now: Date())) ?? []).filter { summary in
                summary.state == .online && WorkerLabel.missing(labels, from: summary.worker.labelList).isEmpty
            }
            guard able.isEmpty else {
                return "waiting for a worker with label(s) \(wanted): \(able.count) registered worker(s) have them"
            }
            return "waiting for a worker with label(s) \(wanted): no registered worker has them; start one with "
                + "'devflow worker --labels \(labels.joined(separator: ","))'"
        }
    }

    /// Why a run ends before its first step.
    struct Settlement: Error {
        var status: RunStatus
        var reason: String
        var diagnostics: String?
    }

    /// Mirror, checkout, compile, plan, and record the graph and group.
    func prepare(
        _ id: Int64, run: RunRecord, repository: ServerConfiguration.Repository, event: QueuedEvent, workspace: String
    ) throws -> Prepared {
        let began = Date()
        // GitHub and GitLab serve a fork's head from the base repository (refs/pull/N/head,
        // refs/merge-requests/N/head); only Bitbucket's fork pull requests are fetched from the fork.
        let mirror = context.mirror(
            of: repository, fork: event.fromFork && repository.forge == .bitbucket ? event.cloneURL : nil)
        // Schedules and manual runs name a ref, not a commit: the commit is the ref's head after a fetch.
        let commit: String
        do {
            if let known = run.gitCommit {
                if !Self.has(known, in: mirror) { _ = try mirror.update() }
                commit = known
            } else {
                _ = try mirror.update()
                let ref = event.fetchRef ?? "refs/heads/\(repository.defaultBranch)"
                guard let resolved = try? mirror.resolve(ref) else {
                    throw Settlement(
                        status: .failed, reason: "ref '\(ref)' does not exist in \(mirror.displayURL); check --ref")
                }
                commit = resolved
            }
        } catch let settlement as Settlement {
            throw settlement
        } catch {
            throw Settlement(status: .failed, reason: "cannot fetch \(mirror.displayURL): \(error)")
        }
        guard Self.has(commit, in: mirror) else {
            throw Settlement(
                status: .failed,
                reason: "commit \(commit) is not in \(mirror.displayURL) (was the branch deleted or force-pushed "
                    + "before the run started?)")
        }
        // Decide from the mirror first: a run that does not compile or is not triggered needs no checkout.
        guard let data = try? mirror.readFile(repository.pipeline, at: commit) else {
            throw Settlement(
                status: .configError,
                reason: "\(repository.pipeline) does not exist at \(commit.prefix(12)); add it or set 'pipeline:'")
        }
        let compilation = Compiler.compile(SourceFile(path: repository.pipeline, bytes: Array(data)))
        guard let graph = compilation.graph else {
            let errors = compilation.diagnostics.filter { $0.severity == .error }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = (try? encoder.encode(compilation.diagnostics)).map { String(decoding: $0, as: UTF8.self) }
            let first =
                errors.first.map {
                    "\(repository.pipeline):\($0.span.start.line):\($0.span.start.column): \($0.message)"
                } ?? "the pipeline does not compile"
            throw Settlement(status: .configError, reason: first, diagnostics: json)
        }
        var planEvent = event.planEvent
        if planEvent.changedPaths == nil {
            let changes: [GitChange]
            if planEvent.kind == "pull_request", let base = planEvent.baseBranch {
                changes = (try? mirror.changedPaths(pullRequestHead: commit, target: "refs/heads/\(base)")) ?? []
            } else {
                changes = (try? mirror.changedPaths(before: event.before, after: commit)) ?? []
            }
            planEvent.changedPaths = changes.map(\.path.string)
        }
        if planEvent.kind == "manual" {
            // The API checked the inputs against the ref's pipeline as its mirror knew it; this is the commit that runs.
            let problems = ManualInputCheck.problems(
                planEvent.inputs, pipeline: graph.name, declared: graph.triggers.manual)
            if !problems.isEmpty {
                throw Settlement(
                    status: .failed,
                    reason: "the inputs do not match on.manual.inputs at \(commit.prefix(12)): "
                        + problems.map(\.message).joined(separator: "; "))
            }
        }
        let plan = Planner.plan(graph, for: planEvent)
        guard plan.triggered else { throw Settlement(status: .skipped, reason: plan.triggerReason) }
        if let labels = graph.labels {
            let missing = WorkerLabel.missing(labels, from: context.settings.workerLabels)
            if !missing.isEmpty { throw NeedsLabels(labels: labels, missing: missing) }
        }
        if let activity = event.activity {
            // The planner does not look at pull-request activity types; `on.pull_request.types` decides here.
            let types = graph.triggers.pullRequest?.types ?? []
            let accepted = types.isEmpty ? ["opened", "synchronize", "reopened"] : types
            guard accepted.contains(activity) else {
                throw Settlement(
                    status: .skipped,
                    reason:
                        "pull request activity '\(activity)' is not one of types: \(accepted.joined(separator: ", "))")
            }
        }
        let decided = Date()
        let author = try? mirror.commitInfo(commit).authorTime
        var request = RunRequest(
            graph: graph, file: repository.pipeline, event: planEvent, gitCommit: commit, workspace: workspace,
            jobs: 2, environment: stepEnvironment(repository: repository, graph: graph, run: run, workspace: workspace),
            queuedRun: id)
        request.gitAuthorTime = author
        request.controls = context.controls
        let canonical = graph.canonicalJSON()
        let admission = try context.queue.prepare(
            run: id, pipeline: graph.name, graphHash: ExecutionGraph.hash(of: canonical),
            graphJSON: String(decoding: canonical, as: UTF8.self), nodes: graph.nodes.map(\.id),
            group: request.concurrencyGroup, cancelInProgress: graph.cancelInProgress, commit: commit, now: Date())
        if let previous = run.resumedFrom { request.resume = previous }
        request.rerunFrom = run.rerunFrom
        // A rerun runs its steps again even where their inputs are unchanged.
        request.force = run.rerunOf != nil
        let recorded = Date()
        // A run its group keeps waiting (or cancelled) needs no workspace yet.
        guard admission == .admitted else { return Prepared(request: request, commit: commit, admission: admission) }
        do {
            _ = try mirror.checkout(commit: commit, into: workspace, reusing: !event.fromFork)
        } catch {
            throw Settlement(status: .failed, reason: "cannot check out \(commit): \(error)")
        }
        if ProcessInfo.processInfo.environment["DEVFLOW_SERVER_TIMING"] != nil {
            func milliseconds(_ from: Date, _ to: Date) -> Int { Int(to.timeIntervalSince(from) * 1000) }
            let line =
                "timing run \(id): fetch+compile+plan \(milliseconds(began, decided)) ms, store \(milliseconds(decided, recorded)) ms, "
                + "checkout \(milliseconds(recorded, Date())) ms\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        return Prepared(request: request, commit: commit, admission: admission)
    }

    /// What steps see of the world: never the server's own environment (it holds webhook secrets and tokens), only
    /// `PATH`, `HOME`, the variables `step_env` names, and the repository's declared secrets (none for forks).
    func stepEnvironment(
        repository: ServerConfiguration.Repository, graph: ExecutionGraph, run: RunRecord, workspace: String
    ) -> [String: String] {
        let settings = context.settings
        var environment: [String: String] = [
            "PATH": settings.configuration.stepPath, "HOME": settings.configuration.stepHome ?? workspace,
            "CI": "true", "DEVFLOW_SERVER": "1",
        ]
        for name in settings.configuration.stepEnv { environment[name] = settings.environment[name] }
        if !run.withoutSecrets, let file = repository.secretsFile,
            case .success(let secrets) = SecretsFile.read(file, relativeTo: "", declared: graph.secrets)
        {
            for (name, value) in secrets { environment[name] = value }
        }
        if let executable = settings.agentExecutable { environment["DEVFLOW_AGENT_EXECUTABLE"] = executable }
        return environment
    }

    func settle(_ id: Int64, _ status: RunStatus, _ reason: String, diagnostics: String? = nil) -> Outcome {
        try? context.queue.settle(run: id, status: status, reason: reason, diagnostics: diagnostics, at: Date())
        return .settled(status)
    }

    /// Whether the mirror exists and holds `commit`.
    static func has(_ commit: String, in mirror: GitMirror) -> Bool {
        guard mirror.exists, let repository = try? mirror.repository() else { return false }
        return repository.hasCommit(commit)
    }
}
