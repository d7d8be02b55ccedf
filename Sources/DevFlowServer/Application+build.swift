import DevFlowAPIRequests
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the server: the routes (webhooks, health, metrics, `/api/v1`), the in-process workers and the lease rescuer, on one
/// store. The executable and the tests both call it.
public func buildApplication(_ context: ServerContext, logger: Logger? = nil) -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "devflow.server")
    if logger.logLevel > .info { logger.logLevel = .info }
    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: ServerHeaderMiddleware())
    let apiRoutes = APIRouteTable()
    router.add(middleware: APIErrorMiddleware(routes: apiRoutes))
    WebhookController(context: context).register(on: router)
    HealthController(context: context).register(on: router)
    var sessions: DashboardSessions?
    do {
        let dashboard = try DashboardController(context: context)
        router.add(middleware: DashboardNotFoundMiddleware(pages: dashboard.pages))
        dashboard.register(on: router)
        sessions = dashboard.sessions
    } catch {
        logger.error("the dashboard is off: \(error)")
    }
    do {
        try APIController(context: context, sessions: sessions).register(on: router)
        apiRoutes.load(from: router)
    } catch {
        logger.error("the API is off: its cursor key cannot be read from the store: \(error)")
    }
    let address = context.settings.address
    return Application(
        router: router,
        configuration: .init(address: .hostname(address.host, port: address.port), serverName: "devflow"),
        services: [
            WorkerPool(context: context, logger: logger), LeaseRescuer(context: context, logger: logger),
            Scheduler(context: context, logger: logger),
        ],
        logger: logger)
}
