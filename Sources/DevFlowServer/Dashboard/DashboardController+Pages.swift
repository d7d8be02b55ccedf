import DevFlowAPIRequests
import DevFlowAnalytics
import DevFlowDashboard
import DevFlowStore
import Foundation
import Hummingbird

extension DashboardController {
    /// Runs a page is shown.
    static let pageSize = 50

    func runs(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        let query = QueryReader(request: request)
        func text(_ name: String) -> String? {
            query.text(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        var filters = RunListFilters(repository: text("repository"), branch: text("branch"), event: text("event"))
        if let status = text("status") {
            guard let value = RunStatus(rawValue: status) else {
                return pages.error(
                    .badRequest, heading: "Unknown status",
                    message: "'\(status)' is not a run status; use one of "
                        + RunStatus.allCases.map(\.rawValue).joined(separator: ", ") + ".", frame: frame(context))
            }
            filters.status = value
        }
        let before = text("before").flatMap { Int64($0) }
        // Read before the runs, so that no change between the two reads is missed by the page's event stream.
        let lastEventID = try self.context.store.lastStateChangeID()
        var runs = try self.context.store.runs(
            matching: RunFilter(
                repository: filters.repository, branch: filters.branch, status: filters.status, event: filters.event,
                since: nil), before: before, limit: Self.pageSize + 1)
        let hasMore = runs.count > Self.pageSize
        if hasMore { runs.removeLast() }
        return pages.page(
            .runs(runs, filters: filters, hasMore: hasMore, firstPage: before == nil, lastEventID: lastEventID),
            frame: frame(context))
    }

    func run(_ context: ServerRequestContext) throws -> Response {
        let lastEventID = try self.context.store.lastStateChangeID()
        guard let id = Int64(context.path("run")), let run = try self.context.store.run(id) else {
            return pages.error(
                .notFound, heading: "No such run", message: "There is no run \(context.path("run")).",
                frame: frame(context))
        }
        let store = self.context.store
        return pages.page(
            .run(
                run, nodes: try store.nodes(run: id), attempts: try store.attempts(run: id),
                outputs: try store.outputs(run: id), findings: try store.findings(run: id),
                canCancel: role(context) >= .operator, lastEventID: lastEventID), frame: frame(context))
    }

    /// Asks the run's worker to stop it, as `POST /api/v1/runs/{id}/cancel` does; audited.
    func cancel(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let back = "/runs/\(context.path("run"))"
        let form = try await Self.form(request, context)
        if let refusal = checkForm(form, context, back: back) { return refusal }
        guard role(context) >= .operator else { return forbidden(context, "cancelling a run", back: back) }
        guard let id = Int64(context.path("run")), let run = try self.context.store.run(id) else {
            return pages.error(
                .notFound, heading: "No such run", message: "There is no run \(context.path("run")).",
                frame: frame(context))
        }
        if !run.status.isFinished {
            let reason = "cancelled by \(context.actor) from the dashboard"
            try self.context.queue.requestCancel(run: id, reason: reason, at: Date())
            try audit("run.cancel", target: "run/\(id)", details: reason, context)
        }
        return DashboardPages.redirect(to: back)
    }

    func log(_ context: ServerRequestContext) throws -> Response {
        let nodeId = context.path("node")
        guard let id = Int64(context.path("run")), let run = try self.context.store.run(id),
            let node = try self.context.store.nodes(run: id).first(where: { $0.nodeId == nodeId })
        else {
            return pages.error(
                .notFound, heading: "No such log",
                message: "Run \(context.path("run")) has no step '\(nodeId)'.", frame: frame(context))
        }
        return pages.page(.log(run: run, node: node), frame: frame(context))
    }

    func breakers(_ context: ServerRequestContext, notice: String? = nil) throws -> Response {
        let store = self.context.store
        let rows = try store.breakers().map { ($0, try store.transitions(breaker: $0.name)) }
        return pages.page(
            .breakers(rows, canOperate: role(context) >= .operator, notice: notice), frame: frame(context))
    }

    /// Resets, opens or disables a breaker, as `devflow breakers` and the API do; audited.
    func operate(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let form = try await Self.form(request, context)
        if let refusal = checkForm(form, context, back: "/breakers") { return refusal }
        guard role(context) >= .operator else { return forbidden(context, "changing a breaker", back: "/breakers") }
        let name = context.path("name")
        guard let operation = BreakerOperation(rawValue: context.path("operation")),
            try self.context.store.breakers().contains(where: { $0.name == name })
        else {
            return pages.error(
                .notFound, heading: "No such breaker",
                message: "There is no breaker '\(name)' or no operation '\(context.path("operation"))'.",
                back: "/breakers", frame: frame(context))
        }
        let now = Date()
        _ = try self.context.store.updateBreaker(name, now: now, runId: nil) { operation.apply(to: &$0, now: now) }
        try audit(operation.auditAction, target: "breaker/\(name)", details: "from the dashboard", context)
        return DashboardPages.redirect(to: "/breakers")
    }

    func dora(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        let reader = QueryReader(request: request)
        func text(_ name: String) -> String? { reader.text(name) }
        let query = DORAPageQuery(
            repository: text("repository"), environment: text("environment"), window: text("window") ?? "90d",
            fixWindow: text("fix_window") ?? "1d")
        do throws(AnalyticsError) {
            let window = try AnalyticsWindow(query.window, until: Date())
            let fix = try AnalyticsWindow.seconds(query.fixWindow)
            let report = try? Analytics(source: self.context.store).dora(
                repository: query.repository, environment: query.environment, window: window, dora: DORA(fixWindow: fix)
            )
            return pages.page(.dora(report, query: query), frame: frame(context))
        } catch {
            return pages.page(
                .dora(nil, query: query, error: error.message), frame: frame(context), status: .badRequest)
        }
    }

    func insights(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        let reader = QueryReader(request: request)
        func text(_ name: String) -> String? { reader.text(name) }
        let pipelines = try self.context.store.pipelineNames()
        let query = InsightsPageQuery(
            pipeline: text("pipeline") ?? pipelines.first, repository: text("repository"),
            window: text("window") ?? "30d")
        do throws(AnalyticsError) {
            let window = try AnalyticsWindow(query.window, until: Date())
            let report = try query.pipeline.flatMap { pipeline in
                try? Analytics(source: self.context.store).insights(
                    pipeline: pipeline, repository: query.repository, window: window)
            }
            return pages.page(.insights(report, pipelines: pipelines, query: query), frame: frame(context))
        } catch {
            return pages.page(
                .insights(nil, pipelines: pipelines, query: query, error: error.message), frame: frame(context),
                status: .badRequest)
        }
    }

    func audit(_ action: String, target: String, details: String?, _ context: ServerRequestContext) throws {
        try self.context.audit(action, target: target, details: details, request: context)
    }
}
