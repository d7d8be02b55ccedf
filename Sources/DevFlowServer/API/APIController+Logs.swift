import DevFlowAPIRequests
import DevFlowGraph
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIController {
    func registerLogs(on api: RouterGroup<ServerRequestContext>) {
        api.get("runs/:run/nodes/:node/log") { request, context in try self.nodeLog(request, context) }
        api.get("runs/:run/nodes/:node/log/stream") { request, context in try self.stream(request, context, node: true)
        }
        api.get("runs/:run/log/stream") { request, context in try self.stream(request, context, node: false) }
    }

    /// Chunks read per store query while streaming.
    static let chunkPage = 256

    /// A node's log as text, `offset`/`limit` by line; `download=true` answers it as an attachment; `timestamps=true`
    /// starts each line with the time its chunk was written (`2026-12-02T14:05:09.123Z `), where the store has it. Streamed page by
    /// page from the store, so a log of a million lines never sits in memory whole.
    func nodeLog(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let (run, node) = try runAndNode(context)
        let query = QueryReader(request: request)
        let offset = try query.integer("offset", default: 0, range: 0...Int.max)
        let limit = try query.integer("limit", default: Int.max, range: 1...Int.max)
        let timestamps = try query.boolean("timestamps") == true
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if try query.boolean("download") == true {
            let name = ServerContext.slug("run-\(run)-\(node)") + ".log"
            headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        }
        let store = self.context.store
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var after: Int64 = 0
                var line = 0
                // Saturating: `offset + limit` past Int.max means "to the end", never an overflow trap.
                let (sum, overflow) = offset.addingReportingOverflow(limit)
                let end = overflow ? Int.max : sum
                while line < end {
                    let chunks = try store.logChunks(run: run, node: node, after: after, limit: Self.chunkPage)
                    var text = ""
                    for chunk in chunks {
                        let stamp = timestamps ? chunk.at.map { StoredDate.iso8601($0) + " " } ?? "" : ""
                        for piece in chunk.text.split(separator: "\n", omittingEmptySubsequences: false) {
                            defer { line += 1 }
                            guard line >= offset, line < end else { continue }
                            text += stamp
                            text += piece
                            text += "\n"
                        }
                        after = chunk.id ?? after
                    }
                    if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                    if chunks.count < Self.chunkPage { break }
                    await Task.yield()  // a long log must not keep a cooperative thread from other requests
                }
                try await writer.finish(nil)
            })
    }

    /// Live log lines as Server-Sent Events: `id: CHUNK.LINE` per line (`Last-Event-ID` resumes after it), a
    /// `: ping` after 15 s without a line, and `event: end` once the node (or the run) has finished and every line
    /// was sent.
    func stream(_ request: Request, _ context: ServerRequestContext, node: Bool) throws -> Response {
        try context.require(.viewer)
        let run: Int64
        let nodeId: String?
        if node {
            (run, nodeId) = try runAndNode(context)
        } else {
            run = try context.pathID("run")
            nodeId = nil
            guard try self.context.store.run(run) != nil else { throw APIError.notFound("there is no run \(run)") }
        }
        // Both are checked (a malformed one is a 400, never ignored); a non-empty header wins over the query.
        let header = request.headers[HTTPField.Name("Last-Event-ID")!]
        let fromHeader = try LogPosition(lastEventID: header)
        let fromQuery = try LogPosition(lastEventID: QueryReader(request: request).text("last_event_id"))
        let resume = header?.isEmpty == false ? fromHeader : fromQuery
        let tail = LogTail(
            feed: self.context.logHub.feed(run: run, node: nodeId), position: resume,
            pingSeconds: self.context.settings.ssePingSeconds)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                try await tail.run { text in try await writer.write(ByteBuffer(string: text)) }
                try await writer.finish(nil)
            })
    }

    /// The run and node of a log route; 404 for either that does not exist.
    func runAndNode(_ context: ServerRequestContext) throws -> (Int64, String) {
        let run = try context.pathID("run")
        let node = context.path("node")
        guard try self.context.store.run(run) != nil else { throw APIError.notFound("there is no run \(run)") }
        guard try self.context.store.nodes(run: run).contains(where: { $0.nodeId == node }) else {
            throw APIError.notFound("run \(run) has no node '\(node)'")
        }
        return (run, node)
    }
}
