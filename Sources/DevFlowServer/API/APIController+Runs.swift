import DevFlowAPIRequests
import DevFlowForges
import DevFlowStore
import DevFlowWebhooks
import Foundation
import Hummingbird

extension APIController {
    func registerRuns(on api: RouterGroup<ServerRequestContext>) {
        api.get("runs") { request, context in try self.listRuns(request, context) }
        api.get("runs/:run") { _, context in try self.showRun(context) }
        api.post("runs/:run/cancel") { request, context in try await self.cancelRun(request, context) }
        api.get("deliveries") { request, context in try self.listDeliveries(request, context) }
        api.post("deliveries/:delivery/redeliver") { _, context in try self.redeliver(context) }
    }

    func listRuns(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let query = QueryReader(request: request)
        let filter = RunFilter(
            repository: query.text("repository"), branch: query.text("branch"),
            status: try query.oneOf("status", RunStatus.self), event: query.text("event"),
            since: try query.date("since"))
        let limit = try query.integer("limit", default: 50, range: 1...200)
        let filterKey = [filter.repository, filter.branch, filter.status?.rawValue, filter.event, query.text("since")]
            .map { $0 ?? "" }.joined(separator: "\u{1F}")
        let before = try query.text("cursor").map { text throws(APIError) in
            try RunCursor.decode(text, query: filterKey, key: cursorKey).before
        }
        // One extra row says whether there is a next page without a count over the whole table.
        var runs = try self.context.store.runs(matching: filter, before: before, limit: limit + 1)
        var next: JSONBody = .null
        if runs.count > limit {
            runs.removeLast()
            let cursor = RunCursor(before: runs.last?.id ?? 0, query: filterKey).encoded(key: cursorKey)
            next = .string(Self.link(request, replacing: "cursor", with: cursor))
        }
        return .json(.ok, ["runs": .array(runs.map(APIRepresentations.runSummary)), "next": next])
    }

    func showRun(_ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let id = try context.pathID("run")
        let store = self.context.store
        guard let run = try store.run(id) else { throw APIError.notFound("there is no run \(id)") }
        let body = APIRepresentations.runDetail(
            run, nodes: try store.nodes(run: id), attempts: try store.attempts(run: id),
            outputs: try store.outputs(run: id), findings: try store.findings(run: id))
        return .json(.ok, value: body)
    }

    func cancelRun(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.operator)
        let id = try context.pathID("run")
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let reason = try APIRequestBody.string(body, "reason") ?? "cancelled by \(context.actor) through the API"
        guard let run = try self.context.store.run(id) else { throw APIError.notFound("there is no run \(id)") }
        guard !run.status.isFinished else {
            throw APIError(
                .conflict, code: "run_finished",
                message: "run \(id) has finished (\(run.status.rawValue)); nothing to cancel",
                details: ["status": .string(run.status.rawValue)])
        }
        try self.context.queue.requestCancel(run: id, reason: reason, at: Date())
        try audit("run.cancel", target: "run/\(id)", details: reason, context: context)
        let after = try self.context.store.run(id) ?? run
        return .json(.accepted, value: APIRepresentations.runSummary(after))
    }

    func listDeliveries(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let limit = try QueryReader(request: request).integer("limit", default: 50, range: 1...500)
        let deliveries = try self.context.queue.deliveries(limit: limit)
        return .json(.ok, ["deliveries": .array(deliveries.map(APIRepresentations.delivery))])
    }

    /// `POST /api/v1/deliveries/{id}/redeliver` (operator): the stored payload decided again as a new delivery, as if
    /// the forge had sent it once more under a new delivery id (`<key>/redelivery-<8 hex digits>`): the repository's current
    /// configuration decides, and the runs it queues are new runs. 202 with the new delivery and its runs.
    func redeliver(_ context: ServerRequestContext) throws -> Response {
        try context.require(.operator)
        let id = try context.pathID("delivery")
        let queue = self.context.queue
        guard let original = try queue.delivery(id) else { throw APIError.notFound("there is no delivery \(id)") }
        guard let forge = ForgeKind(rawValue: original.forge) else {
            throw APIError(
                .conflict, code: "unknown_forge",
                message: "delivery \(id) came from '\(original.forge)', not a forge here")
        }
        guard self.context.settings.configuration.repository(named: original.repository) != nil else {
            throw APIError(
                .conflict, code: "repository_not_configured",
                message:
                    "repository '\(original.repository)' of delivery \(id) is no longer in the server configuration")
        }
        let key = "\(original.deliveryKey)/redelivery-\(UUID().uuidString.prefix(8).lowercased())"
        let body = Array(original.payload.utf8)
        let request = WebhookRequest(
            headers: [forge.eventHeader: original.eventName, forge.deliveryHeaders[0]: key], body: body)
        let delivery: ForgeDelivery
        do {
            delivery = try Forges.parse(request, forge: forge)
        } catch {
            throw APIError(
                .conflict, code: "payload_unreadable",
                message: "the stored payload of delivery \(id) cannot be read again (\(error.message)); payloads are "
                    + "kept up to \(WebhookController.payloadCap) bytes: ask the forge to redeliver it instead")
        }
        guard let (receipt, reasons) = try WebhookController(context: self.context).store(delivery, body: body) else {
            throw APIError(
                .conflict, code: "repository_not_configured",
                message:
                    "repository '\(delivery.repository)' of delivery \(id) is no longer in the server configuration")
        }
        guard case .stored(let newID, let runs) = receipt else {
            throw APIError(
                .conflict, code: "duplicate",
                message: "delivery \(id) was redelivered as \(key) at the same moment; retry")
        }
        try audit(
            "delivery.redeliver", target: "delivery/\(id)", details: "as delivery \(newID) (\(key))", context: context)
        return .json(
            .accepted,
            [
                "delivery": .number(Double(newID)), "redelivery_of": .number(Double(id)), "delivery_key": .string(key),
                "runs": .array(runs.map { .number(Double($0)) }),
                "reason": runs.isEmpty ? .string(reasons.joined(separator: "; ")) : .null,
            ])
    }

    /// The request's own path and query with one parameter replaced: the `next` link.
    static func link(_ request: Request, replacing name: String, with value: String) -> String {
        var components = URLComponents()
        components.path = request.uri.path
        var items = (URLComponents(string: request.uri.description)?.queryItems ?? []).filter { $0.name != name }
        items.append(URLQueryItem(name: name, value: value))
        components.queryItems = items
        return components.string ?? request.uri.path
    }
}
