import DevFlowAPIRequests
import DevFlowGraph
import DevFlowStore
import Foundation
import ServiceLifecycle

/// One client's live log: catches up from the store while it is behind the feed's window, then takes lines from
/// the feed that every follower of the same node shares, and writes them as Server-Sent Events.
struct LogTail: Sendable {
    let feed: LogFeed
    var position: LogPosition
    let pingSeconds: Double

    /// Writes events through `write` until the node or run finishes and its last line is out, the client goes, or the
    /// server shuts down.
    func run(_ write: (String) async throws -> Void) async throws {
        feed.subscribe()
        defer { feed.unsubscribe() }
        var position = self.position
        var lastWrite = Date()
        var generation: UInt64 = 0
        // A server shutting down ends its streams without `event: end`: clients reconnect with `Last-Event-ID`
        // (to another server, or this one restarted) and miss nothing.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let view = feed.view(after: position)
            var chunks = view.chunks
            var rendered = view.rendered
            var caughtUp = true
            if view.behind {
                chunks = try feed.store.logChunks(
                    run: feed.run, node: feed.node, after: max(0, position.chunk - 1), limit: APIController.chunkPage)
                rendered = []
                caughtUp = false
            }
            var text = ""
            for (index, chunk) in chunks.enumerated() {
                guard let id = chunk.id else { continue }
                let first = id == position.chunk ? position.line + 1 : (id < position.chunk ? Int.max : 0)
                if first == 0, index < rendered.count {
                    text += rendered[index]
                } else if first != Int.max {
                    text += Self.events(of: chunk, from: first)
                }
                if id >= position.chunk { position = LogPosition(chunk: id, line: chunk.lineCount - 1) }
            }
            if !text.isEmpty {
                try await write(text)
                lastWrite = Date()
            }
            if !caughtUp {
                await Task.yield()
                continue
            }
            if let end = view.end {
                try await write("event: end\ndata: \(end)\n\n")
                return
            }
            if Date().timeIntervalSince(lastWrite) >= pingSeconds {
                try await write(": ping\n\n")
                lastWrite = Date()
            }
            generation = await feed.wait(after: max(generation, view.generation))
        }
    }

    /// The events of a chunk's lines from line `first` on: per line its id and a JSON object with the node, attempt,
    /// stream, text and (where the store has it) the time the chunk was written.
    static func events(of chunk: LogChunkRecord, from first: Int) -> String {
        var out = ""
        let id = String(chunk.id ?? 0)
        var prefix = ""
        prefix += "\ndata: {\"attempt\":\(chunk.attempt),\"line\":"
        var suffix = ""
        if let at = chunk.at {
            suffix += ",\"at\":"
            JSONValue.writeQuoted(StoredDate.iso8601(at), into: &suffix)
        }
        suffix += ",\"node\":"
        JSONValue.writeQuoted(chunk.nodeId, into: &suffix)
        suffix += ",\"stream\":"
        JSONValue.writeQuoted(chunk.stream, into: &suffix)
        suffix += "}\n\n"
        for (index, line) in chunk.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index >= first {
            out += "id: "
            out += id
            out += "."
            out += String(index)
            out += prefix
            JSONValue.writeQuoted(String(line), into: &out)
            out += suffix
        }
        return out
    }
}

extension LogChunkRecord {
    /// How many lines the chunk holds.
    var lineCount: Int { text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
}
