import DevFlowAPIRequests
import DevFlowAnalytics
import Foundation
import Hummingbird

extension APIController {
    func registerAnalytics(on api: RouterGroup<ServerRequestContext>) {
        api.get("dora") { request, context in try self.dora(request, context) }
        api.get("insights") { request, context in try self.insights(request, context) }
    }

    /// `GET /api/v1/dora?repository=&environment=&window=90d&fix_window=1d`: the report `devflow dora --format json` prints.
    func dora(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let query = QueryReader(request: request)
        let now = Date()
        let window = try Self.parameter(query, "window", default: "90d") { text throws(AnalyticsError) in
            try AnalyticsWindow(text, until: now)
        }
        let fixWindow = try Self.parameter(query, "fix_window", default: "1d", AnalyticsWindow.seconds)
        let report = try Analytics(source: self.context.store).dora(
            repository: query.text("repository"), environment: query.text("environment"), window: window,
            dora: DORA(fixWindow: fixWindow))
        return try Self.report(report)
    }

    /// `GET /api/v1/insights?pipeline=P&repository=&window=30d`: the report `devflow insights P --format json` prints.
    func insights(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let query = QueryReader(request: request)
        guard let pipeline = query.text("pipeline") else {
            throw APIError.invalidParameter("pipeline", "'pipeline' is required: the name of the pipeline to report on")
        }
        let now = Date()
        let window = try Self.parameter(query, "window", default: "30d") { text throws(AnalyticsError) in
            try AnalyticsWindow(text, until: now)
        }
        let report = try Analytics(source: self.context.store).insights(
            pipeline: pipeline, repository: query.text("repository"), window: window)
        return try Self.report(report)
    }

    /// A window-like query parameter read by `read`; a 400 naming the parameter when it does not parse.
    private static func parameter<Value>(
        _ query: QueryReader, _ name: String, default value: String,
        _ read: (String) throws(AnalyticsError) -> Value
    ) throws -> Value {
        do {
            return try read(query.text(name) ?? value)
        } catch {
            throw APIError.invalidParameter(name, "'\(name)': \(error.message)")
        }
    }

    private static func report(_ report: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try Analytics.json(report))))
    }
}
