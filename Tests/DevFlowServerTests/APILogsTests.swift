import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Node logs as text and as Server-Sent Events: paging, downloads, resuming with `Last-Event-ID`, pings, the end
/// event, clients that hang up, and a log of a million lines.
@Suite("API logs", .serialized)
struct APILogsTests {
    /// Appends `count` lines `line N` to `node`'s log in chunks of `chunk`.
    static func appendLines(
        _ fixture: APIFixture, run: Int64, node: String = "build", from start: Int = 0, count: Int, chunk: Int = 1000
    ) throws {
        var next = start
        while next < start + count {
            let size = min(chunk, start + count - next)
            try fixture.store.appendLog(
                run: run, node: node, attempt: 1, stream: "stdout", lines: (next..<(next + size)).map { "line \($0)" })
            next += size
        }
    }

    @Test("a node's log by line: offset and limit, a download with a file name, 404 for a node the run lacks")
    func textLog() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun()
        try Self.appendLines(fixture, run: run, count: 25, chunk: 7)
        try await buildApplication(fixture.context).test(.live) { client in
            let all = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log", method: .get, headers: fixture.auth(.viewer))
            #expect(all.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(String(buffer: all.body) == (0..<25).map { "line \($0)\n" }.joined())
            let page = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log?offset=5&limit=3", method: .get,
                headers: fixture.auth(.viewer))
            #expect(String(buffer: page.body) == "line 5\nline 6\nline 7\n")
            let past = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log?offset=100", method: .get, headers: fixture.auth(.viewer))
            #expect(past.status == .ok && String(buffer: past.body).isEmpty)
            let download = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log?download=true", method: .get, headers: fixture.auth(.viewer))
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"run-\(run)-build.log\"")
            let bad = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log?offset=-1", method: .get, headers: fixture.auth(.viewer))
            #expect(bad.status == .badRequest)
        }
    }

    @Test("a log of 1,000,000 lines is streamed whole, page by page from the store")
    func millionLines() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun()
        try Self.appendLines(fixture, run: run, count: 1_000_000, chunk: 5000)
        try await buildApplication(fixture.context).test(.live) { client in
            let response = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log", method: .get, headers: fixture.auth(.viewer))
            #expect(response.status == .ok)
            #expect(response.headers[.contentLength] == nil, "a streamed body has no length up front")
            let view = response.body.readableBytesView
            #expect(view.filter { $0 == UInt8(ascii: "\n") }.count == 1_000_000)
            #expect(String(buffer: response.body).hasSuffix("line 999999\n"))
            let tail = try await client.execute(
                uri: "/api/v1/runs/\(run)/nodes/build/log?offset=999998", method: .get, headers: fixture.auth(.viewer))
            #expect(String(buffer: tail.body) == "line 999998\nline 999999\n")
        }
    }

    @Test("SSE: every line once with an id, pings while idle, `event: end` when the node finishes")
    func liveStream() async throws {
        let fixture = try APIFixture(settings: { $0.ssePingSeconds = 0.2 })
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        try Self.appendLines(fixture, run: run, count: 3)
        let token = try #require(fixture.auth(.viewer)[.authorization])
        try await buildApplication(fixture.context).test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream", headers: ["Authorization": token])
            await connection.read { sseEventCount($0) == 3 }
            #expect(connection.received.contains("Content-Type: text/event-stream"))
            await connection.read { $0.contains(": ping") }
            #expect(connection.received.contains(": ping\n\n"))
            try Self.appendLines(fixture, run: run, from: 3, count: 2)
            await connection.read { sseEventCount($0) == 5 }
            try fixture.store.finishNode(
                NodeRecord(
                    runId: run, nodeId: "build", status: .succeeded, reason: nil, attempts: 1, startedAt: Date(),
                    finishedAt: Date(), fingerprint: nil, allowedFailure: false), outputs: [:])
            await connection.read { $0.contains("event: end") }
            #expect(connection.received.contains("event: end\ndata: {\"status\":\"succeeded\"}\n\n"))
            #expect(sseLines(connection.received).map(\.line) == (0..<5).map { "line \($0)" })
        }
    }

    @Test("reconnecting with Last-Event-ID after 10,000 lines: no line lost, none repeated")
    func resumeAfterTenThousand() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        try Self.appendLines(fixture, run: run, count: 10_000, chunk: 333)
        let token = try #require(fixture.auth(.viewer)[.authorization])
        try await buildApplication(fixture.context).test(.live) { client in
            let port = try #require(client.port)
            let first = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream", headers: ["Authorization": token])
            await first.read { sseEventCount($0) >= 10_000 }
            let received = sseLines(first.received)
            first.hangUp()
            #expect(received.count == 10_000)
            // Lines written while no client was connected.
            try Self.appendLines(fixture, run: run, from: 10_000, count: 500, chunk: 100)
            let lastID = try #require(received.last?.id)
            let second = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream",
                headers: ["Authorization": token, "Last-Event-ID": lastID])
            await second.read { sseEventCount($0) >= 500 }
            let all = received.map(\.line) + sseLines(second.received).map(\.line)
            #expect(all == (0..<10_500).map { "line \($0)" }, "lines differ")
            // A resume from the middle of a chunk starts at the next line of that chunk.
            let middle = received[4999]
            let third = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream",
                headers: ["Authorization": token, "Last-Event-ID": middle.id])
            await third.read { sseEventCount($0) >= 5500 }
            #expect(sseLines(third.received).first?.line == "line 5000")
            #expect(sseLines(third.received).count == 5500)
            let bad = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream",
                headers: ["Authorization": token, "Last-Event-ID": "yesterday"])
            let started = Date()
            await bad.read { $0.hasPrefix("HTTP/1.1 400") && $0.hasSuffix("}") }
            #expect(Date().timeIntervalSince(started) < 5, "the 400 answer arrived at once")
            #expect(bad.received.hasPrefix("HTTP/1.1 400"))
        }
    }

    @Test("a client that hangs up mid-stream leaves the server serving; the run's stream covers every node")
    func disconnectAndRunStream() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running", "test": "running"])
        try Self.appendLines(fixture, run: run, node: "build", count: 2000)
        try Self.appendLines(fixture, run: run, node: "test", count: 3)
        let token = try #require(fixture.auth(.viewer)[.authorization])
        try await buildApplication(fixture.context).test(.live) { client in
            let port = try #require(client.port)
            for _ in 0..<5 {
                let connection = try RawHTTPConnection(
                    port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream", headers: ["Authorization": token])
                await connection.read { $0.contains("line 10\"") }
                connection.hangUp()
            }
            try await Task.sleep(nanoseconds: 100_000_000)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            try fixture.store.finishRun(run: run, status: .succeeded, at: Date())
            let whole = try RawHTTPConnection(
                port: port, path: "/api/v1/runs/\(run)/log/stream", headers: ["Authorization": token])
            await whole.read { $0.contains("event: end") }
            #expect(sseLines(whole.received).count == 2003)
            #expect(whole.received.contains(#""node":"test""#))
            #expect(whole.received.contains("event: end\ndata: {\"status\":\"succeeded\"}"))
        }
    }

    @Test("fifty clients following one node share one store reader and each gets every line")
    func fanOut() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        let token = try #require(fixture.auth(.viewer)[.authorization])
        try await buildApplication(fixture.context).test(.live) { client in
            let port = try #require(client.port)
            let connections = try (0..<50).map { _ in
                try RawHTTPConnection(
                    port: port, path: "/api/v1/runs/\(run)/nodes/build/log/stream", headers: ["Authorization": token])
            }
            var metrics = ""
            for _ in 0..<200 {
                metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                if metrics.contains("devflow_log_followers 50") { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(
                metrics.contains("devflow_log_feeds 1.0\n") && metrics.contains("devflow_log_followers 50"),
                "\(metrics)")
            for batch in 0..<10 { try Self.appendLines(fixture, run: run, from: batch * 100, count: 100, chunk: 25) }
            try fixture.store.finishNode(
                NodeRecord(
                    runId: run, nodeId: "build", status: .succeeded, reason: nil, attempts: 1, startedAt: Date(),
                    finishedAt: Date(), fingerprint: nil, allowedFailure: false), outputs: [:])
            for connection in connections {
                await connection.read { $0.contains("event: end") }
                #expect(sseLines(connection.received).map(\.line) == (0..<1000).map { "line \($0)" })
            }
            for _ in 0..<200 {
                metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                if metrics.contains("devflow_log_feeds 0") { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(metrics.contains("devflow_log_feeds 0.0\n"), "the feed closes when its last follower leaves")
        }
    }

    @Test("GET /api/v1/events: run and node state changes in order, resumed exactly with Last-Event-ID")
    func stateEvents() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let token = try #require(fixture.auth(.viewer)[.authorization])
        let run = try fixture.seedRun(status: .succeeded, nodes: ["build": "succeeded", "test": "failed"])
        try await buildApplication(fixture.context).test(.live) { client in
            let port = try #require(client.port)
            let all = try RawHTTPConnection(port: port, path: "/api/v1/events", headers: ["Authorization": token])
            await all.read { sseEventCount($0) >= 4 }
            let body = all.received.range(of: "\r\n\r\n").map { String(all.received[$0.upperBound...]) } ?? ""
            let events = body.components(separatedBy: "\n\n").filter { $0.hasPrefix("id: ") }
            #expect(events.count == 4)
            #expect(
                events.map { $0.split(separator: "\n")[1] } == [
                    "event: run", "event: node", "event: node", "event: run",
                ])
            let nodeEvents = events[1...2].joined()
            #expect(nodeEvents.contains(#""node":"build","run":\#(run),"status":"succeeded""#), "\(nodeEvents)")
            #expect(nodeEvents.contains(#""node":"test","run":\#(run),"status":"failed""#), "\(nodeEvents)")
            let firstNode = events[1].contains(#""node":"build""#) ? "build" : "test"
            let otherNode = firstNode == "build" ? "test" : "build"
            #expect(events[3].contains(#""run":\#(run),"status":"succeeded""#))
            let second = String(events[1].split(separator: "\n")[0].dropFirst(4))
            let resumed = try RawHTTPConnection(
                port: port, path: "/api/v1/events", headers: ["Authorization": token, "Last-Event-ID": second])
            await resumed.read { sseEventCount($0) >= 2 }
            #expect(sseEventCount(resumed.received) == 2)
            #expect(
                resumed.received.contains(#""node":"\#(otherNode)""#)
                    && !resumed.received.contains(#""node":"\#(firstNode)""#))
            let later = try fixture.seedRun(status: .running, nodes: [:])
            await all.read { $0.contains(#""run":\#(later),"status":"running""#) }
            #expect(all.received.contains(#""run":\#(later),"status":"running""#))
            let bad = try RawHTTPConnection(
                port: port, path: "/api/v1/events", headers: ["Authorization": token, "Last-Event-ID": "x"])
            await bad.read { $0.hasPrefix("HTTP/1.1 400") && $0.hasSuffix("}") }
            #expect(bad.received.hasPrefix("HTTP/1.1 400"))
        }
    }
}
