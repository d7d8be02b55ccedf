import DevFlowStore
import Foundation
import Hummingbird

/// `/healthz` (the process answers), `/readyz` (the store takes writes and every worker went round its loop
/// recently) and `/metrics` (Prometheus text).
struct HealthController: Sendable {
    let context: ServerContext

    func register(on router: Router<ServerRequestContext>) {
        router.get("/healthz") { _, _ in Response.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in self.ready() }
        router.get("/metrics") { _, _ in
            self.context.metrics.refresh(from: self.context)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: self.context.metrics.render())))
        }
    }

    func ready() -> Response {
        var problems: [String] = []
        do {
            try context.store.heartbeat(run: 0, at: Date())  // a write transaction that changes no row
        } catch {
            problems.append("the store does not take writes: \(error)")
        }
        let window = max(5, context.settings.pollSeconds * 5)
        // The dispatcher claims for every slot; it goes round its loop at least once per poll interval.
        if context.settings.workers > 0, !context.workerBeats.allAlive(count: 1, within: window) {
            problems.append("the worker dispatcher has not gone round its loop in the last \(Int(window))s")
        }
        if context.shutdown.isStopping { problems.append("shutting down") }
        guard problems.isEmpty else {
            return .json(.serviceUnavailable, ["status": "unready", "problems": .array(problems.map { .string($0) })])
        }
        return .json(.ok, ["status": "ready", "workers": .number(Double(context.settings.workers))])
    }
}
