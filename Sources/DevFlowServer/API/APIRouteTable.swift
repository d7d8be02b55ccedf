import DevFlowAPIRequests
import HTTPTypes
import Hummingbird

/// The API's routes as the router registered them (`/api/v1/runs/{run}`, OpenAPI's spelling), so that a request
/// to a path that exists with another method is answered 405 with `Allow`, not 404. Filled once the routes are
/// registered, read by `APIErrorMiddleware`.
final class APIRouteTable: Sendable {
    private struct Route: Sendable {
        var segments: [Substring]
        var method: HTTPRequest.Method
    }

    private let routes = LockedBox<[Route]>([])

    /// An empty table.
    init() {}

    /// Takes the routes under `/api/` from what `router` has registered.
    func load<Context>(from router: Router<Context>) {
        let found = router.routes.filter { $0.path.description.hasPrefix("/api/") }.map { route in
            Route(segments: route.path.description.split(separator: "/"), method: route.method)
        }
        routes.withValue { $0 = found }
    }

    /// The methods registered for `path` (a request's path), in a stable order; empty if none is.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        let methods = routes.withValue { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { template, segment in
                        (template.hasPrefix("{") && template.hasSuffix("}")) || template == segment
                    }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }
}
