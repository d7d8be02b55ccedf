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

    /// A node's log as text, `offset`/`limit` by line; `download=true` answers it as an attachment. Streamed page by
    /// page from the store, so a log of a million lines never sits in memory whole.
    func nodeLog(_ request: Request, _ context: ServerRequestContext) throws -> Response {
        try context.require(.viewer)
        let (run, node) = try runAndNode(context)
        let query = QueryReader(request: request)
        let offset = try query.integer("offset", default: 0, range: 0...Int.max)
        let limit = try query.integer("limit", default: Int.max, range: 1...Int.max)
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
                        for piece in chunk.text.split(separator: "\n", omittingEmptySubsequences: false) {
                            defer { line += 1 }
                            guard line >= offset, line < end else { continue }
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
            store: self.context.store, run: run, node: nodeId, position: resume,
            pollSeconds: self.context.settings.logPollSeconds, pingSeconds: self.context.settings.ssePingSeconds)
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

/// Where a log stream is: after line `line` of chunk `chunk` (`Last-Event-ID: CHUNK.LINE`).
struct LogPosition: Sendable, Equatable {
    var chunk: Int64
    var line: Int

    /// The start of the log.
    static let start = LogPosition(chunk: 0, line: -1)

    init(chunk: Int64, line: Int) {
        self.chunk = chunk
        self.line = line
    }

    /// Reads a `Last-Event-ID` (digits, a dot, digits); a 400 if it is not one this server sent.
    init(lastEventID: String?) throws(APIError) {
        guard let lastEventID, !lastEventID.isEmpty else {
            self = .start
            return
        }
        let parts = lastEventID.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let chunk = Int64(parts[0]), let line = Int(parts[1]), line < Int.max
        else {
            throw APIError(
                .badRequest, code: "invalid_last_event_id",
                message: "Last-Event-ID '\(lastEventID)' is not an id this server sent (CHUNK.LINE)")
        }
        self.chunk = chunk
        self.line = line
    }
}

/// Follows a node's (or a run's) log in the store and writes it as Server-Sent Events. The store is the source:
/// what one server's worker or another host's wrote is read the same way.
struct LogTail: Sendable {
    let store: SQLiteRunStore
    let run: Int64
    let node: String?
    var position: LogPosition
    let pollSeconds: Double
    let pingSeconds: Double

    /// Writes events through `write` until the node or run finishes and its last line is out, or the client goes.
    func run(_ write: (String) async throws -> Void) async throws {
        var position = self.position
        var lastWrite = Date()
        // A server shutting down ends its streams without `event: end`: clients reconnect with `Last-Event-ID`
        // (to another server, or this one restarted) and miss nothing.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let finished = try isFinished()
            let chunks = try store.logChunks(
                run: run, node: node, after: max(0, position.chunk - 1), limit: APIController.chunkPage)
            var text = ""
            for chunk in chunks {
                guard let id = chunk.id else { continue }
                let first = id == position.chunk ? position.line + 1 : (id < position.chunk ? Int.max : 0)
                let lines = chunk.text.split(separator: "\n", omittingEmptySubsequences: false)
                if first < lines.count {
                    for index in first..<lines.count {
                        event(id: "\(id).\(index)", chunk: chunk, line: lines[index], into: &text)
                    }
                }
                if id >= position.chunk { position = LogPosition(chunk: id, line: lines.count - 1) }
            }
            if !text.isEmpty {
                try await write(text)
                lastWrite = Date()
            }
            if chunks.count == APIController.chunkPage {
                await Task.yield()
                continue
            }
            if finished {
                try await write("event: end\ndata: \(try endData())\n\n")
                return
            }
            if Date().timeIntervalSince(lastWrite) >= pingSeconds {
                try await write(": ping\n\n")
                lastWrite = Date()
            }
            try await Task.sleep(nanoseconds: UInt64(pollSeconds * 1e9))
        }
    }

    /// One line's event: its id and a JSON object with the node, attempt, stream and text.
    func event(id: String, chunk: LogChunkRecord, line: Substring, into out: inout String) {
        out += "id: "
        out += id
        out += "\ndata: {\"attempt\":\(chunk.attempt),\"line\":"
        JSONValue.writeQuoted(String(line), into: &out)
        out += ",\"node\":"
        JSONValue.writeQuoted(chunk.nodeId, into: &out)
        out += ",\"stream\":"
        JSONValue.writeQuoted(chunk.stream, into: &out)
        out += "}\n\n"
    }

    func isFinished() throws -> Bool {
        guard let record = try store.run(run) else { return true }
        if record.status.isFinished { return true }
        guard let node else { return false }
        let status = try store.nodes(run: run).first { $0.nodeId == node }?.status
        return !(status == nil || status == "pending" || status == "running")
    }

    func endData() throws -> String {
        let status: String
        if let node {
            status = try store.nodes(run: run).first { $0.nodeId == node }?.status ?? "unknown"
        } else {
            status = try store.run(run)?.status.rawValue ?? "unknown"
        }
        var out = "{\"status\":"
        JSONValue.writeQuoted(status, into: &out)
        out += "}"
        return out
    }
}
