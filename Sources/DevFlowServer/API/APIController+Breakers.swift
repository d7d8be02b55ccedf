import DevFlowAPIRequests
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerBreakers(on api: RouterGroup<ServerRequestContext>) {
        api.get("breakers") { _, context in try self.listBreakers(context) }
        api.post("breakers/:name/:operation") { _, context in try self.operateBreaker(context) }
    }

    /// How many recent transitions a breaker shows.
    static let recentTransitions = 20

    func listBreakers(_ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let store = self.context.store
        let breakers = try store.breakers().map { breaker in
            APIRepresentations.breaker(
                breaker, transitions: Array(try store.transitions(breaker: breaker.name).suffix(Self.recentTransitions))
            )
        }
        return .json(.ok, ["breakers": .array(breakers)])
    }

    /// `POST /api/v1/breakers/{name}/{reset|open|disable}`: the same change as `devflow breakers`, audited.
    func operateBreaker(_ context: ServerRequestContext) throws -> Response {
        try context.require(.operator)
        let name = context.path("name")
        let text = context.path("operation")
        guard let operation = BreakerOperation(rawValue: text) else {
            throw APIError.notFound(
                "there is no breaker operation '\(text)'; use "
                    + BreakerOperation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let store = self.context.store
        guard try store.breakers().contains(where: { $0.name == name }) else {
            throw APIError.notFound("there is no breaker '\(name)' (a breaker appears once a step has used it)")
        }
        let now = Date()
        let record = try store.updateBreaker(name, now: now, runId: nil) { record in
            operation.apply(to: &record, now: now)
        }
        try audit(operation.auditAction, target: "breaker/\(name)", context: context)
        return .json(
            .ok,
            value: APIRepresentations.breaker(
                record, transitions: Array(try store.transitions(breaker: name).suffix(Self.recentTransitions))))
    }
}
