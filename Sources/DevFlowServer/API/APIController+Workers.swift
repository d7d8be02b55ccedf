import DevFlowGraph
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerWorkers(on api: RouterGroup<ServerRequestContext>) {
        api.get("workers") { _, context in try self.listWorkers(context) }
    }

    /// `GET /api/v1/workers`: the registry, newest first.
    func listWorkers(_ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let workers = try self.context.store.workers(now: Date()).map { WorkerRepresentation($0).json }
        return .json(.ok, ["workers": .array(workers)])
    }
}
