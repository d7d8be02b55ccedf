import DevFlowAPIRequests
import DevFlowCompiler
import DevFlowGraph
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerControl(on api: RouterGroup<ServerRequestContext>) {
        api.post("runs/:run/pause") { request, context in try await self.pauseRun(request, context, paused: true) }
        api.post("runs/:run/resume") { request, context in try await self.pauseRun(request, context, paused: false) }
        api.post("runs/:run/rerun") { request, context in try await self.rerun(request, context) }
        api.get("repos") { _, context in try self.listRepositories(context) }
        api.post("repos/:repo/pause") { request, context in
            try await self.pauseRepository(request, context, paused: true)
        }
        api.post("repos/:repo/resume") { request, context in
            try await self.pauseRepository(request, context, paused: false)
        }
    }

    /// `POST /api/v1/runs/{id}/pause|resume` (operator). A paused run's running steps finish and no new step starts
    /// (its engine sees the pause within a second); a paused queued run is not claimed. Both are idempotent: the
    /// answer is the run as it now is, and only a change is audited.
    func pauseRun(_ request: Request, _ context: ServerRequestContext, paused: Bool) async throws -> Response {
        try context.require(.operator)
        let id = try context.pathID("run")
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let reason = try APIRequestBody.string(body, "reason")
        guard let run = try self.context.store.run(id) else { throw APIError.notFound("there is no run \(id)") }
        guard !run.status.isFinished else {
            throw APIError(
                .conflict, code: "run_finished",
                message:
                    "run \(id) has finished (\(run.status.rawValue)); there is nothing to \(paused ? "pause" : "resume")",
                details: ["status": .string(run.status.rawValue)])
        }
        let store = self.context.store
        let changed = paused ? try store.pause(run: id, at: Date()) : try store.resume(run: id)
        if changed {
            try audit(paused ? "run.pause" : "run.resume", target: "run/\(id)", details: reason, context: context)
            if !paused { self.context.doorbell.ring() }
        }
        let after = try store.run(id) ?? run
        return .json(.ok, value: APIRepresentations.runSummary(after))
    }

    /// `POST /api/v1/runs/{id}/rerun {"mode": "all" | "failed" | "from", "node"}` (operator): queues a new run of a
    /// finished server run at the same commit with the same event; 201 with the new run.
    func rerun(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.operator)
        let id = try context.pathID("run")
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let modeName = try APIRequestBody.string(body, "mode") ?? "all"
        let node = try APIRequestBody.string(body, "node")
        guard let old = try self.context.store.run(id) else { throw APIError.notFound("there is no run \(id)") }
        guard old.status.isFinished else {
            throw APIError(
                .conflict, code: "run_not_finished",
                message: "run \(id) is \(old.status.rawValue); cancel it or wait for it to finish before a rerun",
                details: ["status": .string(old.status.rawValue)])
        }
        let mode = try Self.rerunMode(modeName, node: node, of: old)
        let actor = context.actor
        guard let record = RunRecord.rerun(of: old, mode: mode, by: actor, at: Date()) else {
            throw APIError(
                .conflict, code: "not_a_server_run",
                message: "run \(id) was a local run (devflow run), not one this server queued; run it again locally")
        }
        let run = try self.context.queue.enqueue(record)
        let newID = run.id ?? 0
        try audit(
            "run.rerun", target: "run/\(id)", details: "\(mode.name)\(node.map { " \($0)" } ?? "") as run \(newID)",
            context: context)
        self.context.doorbell.ring()
        return .json(.created, value: APIRepresentations.runSummary(run))
    }

    /// The rerun mode a request names, checked against the old run: `from` needs a node of its graph (did-you-mean
    /// among its node and step ids), and only `all` reruns a run that never compiled.
    static func rerunMode(_ name: String, node: String?, of old: RunRecord) throws(APIError) -> RerunMode {
        let mode: RerunMode
        switch name {
        case "all", "failed":
            if node != nil { throw APIError.invalidField("node", "'node' only applies to mode 'from'") }
            mode = name == "all" ? .all : .failed
        case "from":
            guard let node, !node.isEmpty else {
                throw APIError.invalidField("node", "mode 'from' needs 'node': the step or node id to rerun from")
            }
            mode = .from(node: node)
        default:
            throw APIError.invalidField("mode", "invalid rerun mode '\(name)'; expected 'all', 'failed' or 'from'")
        }
        guard mode != .all else { return mode }
        guard let graph = ExecutionGraph.decoded(fromJSON: old.graphJSON) else {
            throw APIError(
                .conflict, code: "no_graph",
                message: "run \(old.id ?? 0) never compiled (\(old.status.rawValue)), so it has no steps to reuse; "
                    + "rerun it with mode 'all'")
        }
        if case .from(let start) = mode, !graph.nodes.contains(where: { $0.id == start || $0.step == start }) {
            let names = Set(graph.nodes.map(\.id) + graph.nodes.map(\.step)).sorted()
            let candidates = Suggestions.closest(to: start, among: names)
            let tail =
                candidates.isEmpty ? "; expected one of \(Suggestions.list(names))" : Suggestions.didYouMean(candidates)
            throw APIError(
                .unprocessableContent, code: "unknown_node",
                message: "there is no step or node '\(start)' in run \(old.id ?? 0)\(tail)", details: ["field": "node"])
        }
        return mode
    }

    /// `GET /api/v1/repos` (viewer): the configured repositories with their queue's state.
    func listRepositories(_ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let pauses = Dictionary(
            try self.context.store.repositoryPauses().map { ($0.repository, $0) }, uniquingKeysWith: { a, _ in a })
        let repositories = self.context.settings.configuration.repositories.map { entry in
            APIRepresentations.repository(entry, pause: pauses[entry.name])
        }
        return .json(.ok, ["repositories": .array(repositories)])
    }

    /// `POST /api/v1/repos/{repo}/pause|resume` (admin: it manages a repository). A paused repository's deliveries are
    /// still verified and recorded and its runs queued; they wait unclaimed until it is resumed. Runs already running
    /// go on.
    func pauseRepository(_ request: Request, _ context: ServerRequestContext, paused: Bool) async throws -> Response {
        try context.require(.admin)
        let entry = try repository(context)
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let reason = try APIRequestBody.string(body, "reason")
        let store = self.context.store
        let before = try store.repositoryPauses().first { $0.repository == entry.name }
        if paused {
            try store.pauseRepository(
                RepositoryPause(repository: entry.name, pausedAt: Date(), actor: context.actor, reason: reason))
            if before == nil {
                try audit("repo.pause", target: "repo/\(entry.name)", details: reason, context: context)
            }
        } else if try store.resumeRepository(entry.name) {
            try audit("repo.resume", target: "repo/\(entry.name)", details: reason, context: context)
            self.context.doorbell.ring()
        }
        let pause = try store.repositoryPauses().first { $0.repository == entry.name }
        return .json(.ok, value: APIRepresentations.repository(entry, pause: pause))
    }
}
