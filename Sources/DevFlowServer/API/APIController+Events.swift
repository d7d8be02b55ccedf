import DevFlowAPIRequests
import DevFlowGraph
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIController {
    func registerEvents(on api: RouterGroup<ServerRequestContext>) {
        api.get("events") { request, context in try self.events(request, context) }
    }

    /// `GET /api/v1/events`: run and node state changes as Server-Sent Events, from the store's change feed (what a
    /// worker on any host writes), `id:` per change so `Last-Event-ID` resumes exactly; `event: run` or
    /// `event: node`; a `: ping` after 15 s without a change. It does not end: a dashboard keeps it open.
    func events(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let header =
            request.headers[HTTPField.Name("Last-Event-ID")!] ?? QueryReader(request: request).text("last_event_id")
        var after: Int64 = 0
        if let header, !header.isEmpty {
            guard header.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(header) else {
                throw APIError(
                    .badRequest, code: "invalid_last_event_id",
                    message: "Last-Event-ID '\(header)' is not an id this stream sent (a whole number)")
            }
            after = value
        }
        let start = after
        let store = self.context.store
        let poll = self.context.settings.logPollSeconds
        let ping = self.context.settings.ssePingSeconds
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var position = start
                var lastWrite = Date()
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    let changes = try store.stateChanges(after: position, limit: 500)
                    if !changes.isEmpty {
                        var text = ""
                        for change in changes { Self.event(change, into: &text) }
                        try await writer.write(ByteBuffer(string: text))
                        position = changes.last?.id ?? position
                        lastWrite = Date()
                        if changes.count == 500 { continue }
                    } else if Date().timeIntervalSince(lastWrite) >= ping {
                        try await writer.write(ByteBuffer(string: ": ping\n\n"))
                        lastWrite = Date()
                    }
                    try await Task.sleep(nanoseconds: UInt64(poll * 1e9))
                }
                try await writer.finish(nil)
            })
    }

    /// One change as an event.
    static func event(_ change: StateChange, into out: inout String) {
        out += "id: \(change.id)\nevent: \(change.node == nil ? "run" : "node")\ndata: {\"at\":"
        JSONValue.writeQuoted(change.at, into: &out)
        if let node = change.node {
            out += ",\"node\":"
            JSONValue.writeQuoted(node, into: &out)
        }
        out += ",\"run\":\(change.run),\"status\":"
        JSONValue.writeQuoted(change.status, into: &out)
        out += "}\n\n"
    }
}
