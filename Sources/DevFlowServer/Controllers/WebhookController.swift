import DevFlowCompiler
import DevFlowForges
import DevFlowStore
import DevFlowWebhooks
import Foundation
import Hummingbird
import NIOCore

/// `POST /hooks/{github,gitlab,bitbucket}`: verify, deduplicate, record, queue, answer. No git work and no step
/// runs in the request: the delivery is answered as soon as it is stored, and a worker is woken.
struct WebhookController: Sendable {
    let context: ServerContext

    /// Adds the routes.
    func register(on router: Router<ServerRequestContext>) {
        router.post("/hooks/:forge") { request, requestContext in
            try await self.receive(request, forgeName: requestContext.parameters.get("forge") ?? "")
        }
    }

    func receive(_ request: Request, forgeName: String) async throws -> Response {
        guard let forge = ForgeKind(rawValue: forgeName) else {
            context.metrics.delivery(forge: "unknown", outcome: "rejected")
            return .json(
                .notFound,
                [
                    "error":
                        "no webhook endpoint for '\(forgeName)'; use /hooks/github, /hooks/gitlab or /hooks/bitbucket"
                ])
        }
        var request = request
        let limit = context.settings.configuration.maxBodyBytes
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            context.metrics.delivery(forge: forge.rawValue, outcome: "rejected")
            return .json(
                .contentTooLarge,
                ["error": "the body is larger than \(limit) bytes (max_body_bytes); nothing was stored"])
        }
        var headers: [String: String] = [:]
        for field in request.headers where headers[field.name.canonicalName] == nil {
            headers[field.name.canonicalName] = field.value
        }
        let webhook = WebhookRequest(headers: headers, body: Array(buffer.readableBytesView))
        let delivery: ForgeDelivery
        do {
            delivery = try Forges.receive(webhook, forge: forge) { repository in
                guard context.settings.configuration.repository(named: repository)?.forge.rawValue == forge.rawValue
                else { return nil }
                return context.settings.webhookSecrets[repository]
            }
        } catch {
            context.metrics.delivery(forge: forge.rawValue, outcome: "rejected")
            return .json(
                HTTPResponse.Status(code: error.httpStatus),
                ["error": .string(error.message), "reason": .string(error.kind)])
        }
        return try record(delivery, body: webhook.body)
    }

    /// Stores the delivery and queues a run per triggering ref, in one transaction.
    func record(_ delivery: ForgeDelivery, body: [UInt8]) throws -> Response {
        guard let (receipt, reasons) = try store(delivery, body: body) else {
            return .json(.notFound, ["error": "repository '\(delivery.repository)' is not configured"])
        }
        switch receipt {
        case .duplicate(let id, let runIDs):
            context.metrics.delivery(forge: delivery.forge.rawValue, outcome: "duplicate")
            return .json(
                .ok,
                [
                    "delivery": .number(Double(id)), "duplicate": .bool(true),
                    "run": runIDs.first.map { .number(Double($0)) } ?? .null,
                    "runs": .array(runIDs.map { .number(Double($0)) }),
                ])
        case .stored(let id, let runIDs):
            context.metrics.delivery(forge: delivery.forge.rawValue, outcome: runIDs.isEmpty ? "ignored" : "queued")
            var answer: [String: JSONBody] = [
                "delivery": .number(Double(id)), "run": runIDs.first.map { .number(Double($0)) } ?? .null,
                "runs": .array(runIDs.map { .number(Double($0)) }),
            ]
            if runIDs.isEmpty { answer["reason"] = .string(reasons.joined(separator: "; ")) }
            return .json(.accepted, answer)
        }
    }

    /// Decides and stores a delivery (the webhook's and a redelivery's shared half) and wakes the workers when it
    /// queued a run: the receipt, and why refs were ignored; nil when its repository is not configured.
    func store(_ delivery: ForgeDelivery, body: [UInt8]) throws -> (DeliveryReceipt, [String])? {
        guard let repository = context.settings.configuration.repository(named: delivery.repository) else {
            return nil
        }
        let now = Date()
        var runs: [RunRecord] = []
        var reasons: [String] = []
        for input in delivery.plannerInputs {
            switch input {
            case .ignore(let reason): reasons.append(reason)
            case .plan(let trigger):
                if trigger.fromFork, repository.forks == .never {
                    reasons.append("\(trigger.summary): pull requests from forks do not run (forks: never)")
                    continue
                }
                runs.append(
                    RunRecord.queued(
                        repository: repository, event: QueuedEvent(trigger, before: before(of: trigger, in: delivery)),
                        commit: trigger.commit, ref: trigger.ref,
                        withoutSecrets: trigger.fromFork && repository.forks != .always, at: now))
            }
        }
        let payload = String(decoding: body.prefix(Self.payloadCap), as: UTF8.self)
        let record = DeliveryRecord(
            forge: delivery.forge.rawValue, deliveryKey: delivery.deliveryID, eventName: delivery.eventName,
            repository: delivery.repository, receivedAt: now, outcome: runs.isEmpty ? .ignored : .queued,
            reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "), payload: payload)
        let receipt = try context.queue.recordDelivery(record, queue: runs)
        if case .stored(_, let ids) = receipt, !ids.isEmpty { context.doorbell.ring() }
        return (receipt, reasons)
    }

    /// The `before` commit of the push a trigger came from.
    func before(of trigger: ForgeTrigger, in delivery: ForgeDelivery) -> String? {
        guard case .push(let pushes) = delivery.event else { return nil }
        return pushes.first { $0.ref == trigger.ref && $0.after == trigger.commit }?.before
    }

    /// Raw payloads are kept for audit up to this many bytes.
    static let payloadCap = 256 * 1024
}
