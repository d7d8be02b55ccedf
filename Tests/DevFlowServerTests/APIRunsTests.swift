import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Run listings (filters, cursors), one run in full, deliveries, bodies the API refuses, and lint.
@Suite("API runs", .serialized)
struct APIRunsTests {
    @Test("cursor pages: every run once, newest first, stable while runs are queued between pages")
    func pagination() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let first = try (0..<7).map { _ in try fixture.seedRun() }
        try await buildApplication(fixture.context).test(.live) { client in
            var seen: [Int64] = []
            var uri: String? = "/api/v1/runs?limit=3"
            var pages = 0
            while let next = uri {
                let response = try await client.execute(uri: next, method: .get, headers: fixture.auth(.viewer))
                #expect(response.status == .ok)
                let body = try APIFixture.json(response)
                seen += (body["runs"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
                uri = body["next"] as? String
                pages += 1
                // A run queued while someone pages does not shift the pages.
                if pages == 1 { try fixture.seedRun() }
            }
            #expect(pages == 3)
            #expect(seen == first.reversed())
        }
    }

    @Test("a cursor that was edited, or reused with other filters, is a 400; bad filters name the parameter")
    func badCursorsAndFilters() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        for _ in 0..<3 { try fixture.seedRun() }
        try await buildApplication(fixture.context).test(.live) { client in
            let page = try APIFixture.json(
                try await client.execute(uri: "/api/v1/runs?limit=1", method: .get, headers: fixture.auth(.viewer)))
            let next = try #require(page["next"] as? String)
            let cursor = try #require(URLComponents(string: next)?.queryItems?.first { $0.name == "cursor" }?.value)
            var tampered = Array(cursor)
            tampered[2] = tampered[2] == "A" ? "B" : "A"
            let cases = [
                "/api/v1/runs?cursor=\(String(tampered))", "/api/v1/runs?cursor=not-a-cursor",
                "/api/v1/runs?limit=1&branch=dev&cursor=\(cursor)", "/api/v1/runs?status=done",
                "/api/v1/runs?limit=0", "/api/v1/runs?limit=abc", "/api/v1/runs?since=last-week",
            ]
            for uri in cases {
                let response = try await client.execute(uri: uri, method: .get, headers: fixture.auth(.viewer))
                #expect(response.status == .badRequest, "\(uri)")
                let error = try APIFixture.json(response)["error"] as? [String: Any]
                #expect(error?["code"] as? String == "invalid_parameter", "\(uri)")
                #expect((error?["details"] as? [String: Any])?["parameter"] != nil, "\(uri)")
            }
            let status = try APIFixture.json(
                try await client.execute(uri: "/api/v1/runs?status=done", method: .get, headers: fixture.auth(.viewer)))
            let accepted = ((status["error"] as? [String: Any])?["details"] as? [String: Any])?["accepted"] as? [String]
            #expect(accepted?.contains("config_error") == true)
            let follow = try await client.execute(uri: next, method: .get, headers: fixture.auth(.viewer))
            #expect(follow.status == .ok)
        }
    }

    @Test("filters: repository, branch, status, event kind and since")
    func filters() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let old = Date().addingTimeInterval(-86400 * 10)
        let a = try fixture.seedRun(branch: "main", kind: "push", status: .succeeded, queuedAt: old)
        let b = try fixture.seedRun(branch: "dev", kind: "pull_request", status: .failed)
        let c = try fixture.seedRun(repository: "acme/other", branch: "main", kind: "manual", status: .succeeded)
        let d = try fixture.seedRun(repository: nil, branch: "main", kind: "push", status: .cancelled)
        let cases: [(String, [Int64])] = [
            ("repository=acme/app", [b, a]), ("branch=main", [d, c, a]), ("status=failed", [b]),
            ("event=manual", [c]), ("event=push&branch=main", [d, a]),
            ("since=\(StoredDate.iso8601(old.addingTimeInterval(60)))", [d, c, b]),
            ("repository=acme/app&status=succeeded", [a]), ("status=queued", []),
        ]
        try await buildApplication(fixture.context).test(.live) { client in
            for (query, expected) in cases {
                let response = try await client.execute(
                    uri: "/api/v1/runs?\(query)", method: .get, headers: fixture.auth(.viewer))
                let runs = try APIFixture.json(response)["runs"] as? [[String: Any]] ?? []
                #expect(runs.compactMap { ($0["id"] as? NSNumber)?.int64Value } == expected, "\(query)")
            }
        }
    }

    @Test("one run: nodes with outputs, attempts, findings, the graph, and a config_error run's diagnostics")
    func runDetail() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let id = try fixture.seedRun(status: .failed, nodes: ["build": "succeeded", "test": "failed"])
        try fixture.store.recordFindings([
            FindingRecord(
                id: nil, runId: id, nodeId: "test", attempt: 1, rule: "secret.aws", severity: "high", file: "a.env",
                line: 3, column: 1, endLine: 3, endColumn: 20, message: "an AWS key", fix: nil)
        ])
        let broken = try fixture.seedRun(status: .running, nodes: [:])
        try fixture.context.queue.settle(
            run: broken, status: .configError, reason: "the pipeline does not compile",
            diagnostics: #"[{"code":"DF0101","message":"unknown key 'stpes'","severity":"error"}]"#, at: Date())
        try await buildApplication(fixture.context).test(.live) { client in
            let response = try await client.execute(
                uri: "/api/v1/runs/\(id)", method: .get, headers: fixture.auth(.viewer))
            #expect(response.status == .ok)
            let run = try APIFixture.json(response)
            #expect(run["status"] as? String == "failed")
            #expect(run["event_kind"] as? String == "push")
            #expect((run["graph"] as? [String: Any])?["nodes"] != nil)
            let nodes = run["nodes"] as? [[String: Any]] ?? []
            #expect(nodes.map { $0["id"] as? String } == ["build", "test"])
            #expect((nodes.first?["outputs"] as? [String: Any])?["version"] as? String == "1.2.3")
            #expect((run["attempts"] as? [[String: Any]])?.count == 2)
            #expect((run["findings"] as? [[String: Any]])?.first?["rule"] as? String == "secret.aws")
            let config = try APIFixture.json(
                try await client.execute(uri: "/api/v1/runs/\(broken)", method: .get, headers: fixture.auth(.viewer)))
            #expect(config["status"] as? String == "config_error")
            #expect((config["diagnostics"] as? [[String: Any]])?.first?["code"] as? String == "DF0101")
            for missing in ["/api/v1/runs/999", "/api/v1/runs/abc", "/api/v1/runs/\(id)/nodes/nope/log"] {
                let answer = try await client.execute(uri: missing, method: .get, headers: fixture.auth(.viewer))
                #expect(answer.status == .notFound, "\(missing)")
                #expect(try APIFixture.errorCode(answer) == "not_found", "\(missing)")
            }
        }
    }

    @Test("request bodies that are huge, not JSON or of the wrong shape get 413, 400, 415 and 422 with the reason")
    func badBodies() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let run = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        let json: HTTPFields = fixture.auth(.admin).merging([.contentType: "application/json"])
        let cases: [(String, HTTPFields, String, HTTPResponse.Status, String)] = [
            ("/api/v1/tokens", json, String(repeating: " ", count: 2 << 20), .contentTooLarge, "body_too_large"),
            ("/api/v1/tokens", json, "{not json", .badRequest, "invalid_body"),
            ("/api/v1/tokens", json, "[1, 2]", .badRequest, "invalid_body"),
            ("/api/v1/tokens", json, "", .badRequest, "invalid_body"),
            (
                "/api/v1/tokens", fixture.auth(.admin).merging([.contentType: "text/plain"]), "{}",
                .unsupportedMediaType,
                "unsupported_media_type"
            ),
            ("/api/v1/tokens", json, #"{"name": 7, "role": "admin"}"#, .unprocessableContent, "invalid_field"),
            ("/api/v1/tokens", json, #"{"name": "ok", "role": "root"}"#, .unprocessableContent, "invalid_field"),
            (
                "/api/v1/tokens", json, #"{"name": "ok", "role": "viewer", "expires": "soon"}"#, .unprocessableContent,
                "invalid_field"
            ),
            ("/api/v1/tokens", json, #"{"name": "t-admin", "role": "viewer"}"#, .conflict, "token_exists"),
            ("/api/v1/runs/\(run)/cancel", json, #"{"reason": ["a"]}"#, .unprocessableContent, "invalid_field"),
        ]
        try await buildApplication(fixture.context).test(.live) { client in
            for (uri, headers, body, status, code) in cases {
                let response = try await client.execute(
                    uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body.prefix(40))")
                #expect(try APIFixture.errorCode(response) == code, "\(body.prefix(40))")
            }
            let wrongMethod = try await client.execute(
                uri: "/api/v1/runs", method: .delete, headers: fixture.auth(.admin))
            #expect(wrongMethod.status.code >= 400 && wrongMethod.status.code < 500)
            #expect(try APIFixture.errorCode(wrongMethod) != nil)
        }
    }

    @Test("POST /api/v1/lint: a pipeline in, its diagnostics out as JSON or SARIF")
    func lint() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let pipeline = "version: 1\nname: ci\non: {push: {}}\nstpes:\n  a: {run: echo}\n"
        try await buildApplication(fixture.context).test(.live) { client in
            let response = try await client.execute(
                uri: "/api/v1/lint?path=ci.yml", method: .post, headers: fixture.auth(.viewer),
                body: ByteBuffer(string: pipeline))
            #expect(response.status == .ok)
            let body = try APIFixture.json(response)
            let diagnostics = body["diagnostics"] as? [[String: Any]] ?? []
            #expect(!diagnostics.isEmpty)
            #expect((body["errors"] as? Int ?? 0) >= 1)
            #expect(String(buffer: response.body).contains("stpes"))
            let sarif = try await client.execute(
                uri: "/api/v1/lint?format=sarif", method: .post, headers: fixture.auth(.viewer),
                body: ByteBuffer(string: pipeline))
            #expect(sarif.headers[.contentType] == "application/sarif+json")
            #expect(
                String(buffer: sarif.body).contains(#""version":"2.1.0""#)
                    || String(buffer: sarif.body).contains(#""version" : "2.1.0""#))
            let clean = try APIFixture.json(
                try await client.execute(
                    uri: "/api/v1/lint", method: .post, headers: fixture.auth(.viewer),
                    body: ByteBuffer(string: "version: 1\nname: ci\non: {push: {}}\nsteps:\n  a: {run: echo hi}\n")))
            #expect(clean["errors"] as? Int == 0)
        }
    }

    @Test("POST /api/v1/repos/{repo}/runs queues a manual run (operator), audited; bad refs and inputs are 422s")
    func trigger() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let json = fixture.auth(.operator).merging([.contentType: "application/json"])
        try await buildApplication(fixture.context).test(.live) { client in
            let response = try await client.execute(
                uri: "/api/v1/repos/acme%2Fapp/runs", method: .post, headers: json,
                body: ByteBuffer(string: #"{"ref": "release", "inputs": {"target": "staging", "dry": true}}"#))
            #expect(response.status == .created)
            let body = try APIFixture.json(response)
            #expect(body["status"] as? String == "queued")
            #expect(body["event"] as? String == "manual")
            #expect(body["ref"] as? String == "refs/heads/release")
            let id = try #require((body["id"] as? NSNumber)?.int64Value)
            let stored = try #require(try fixture.store.run(id))
            #expect(stored.event.contains(#""target":"staging""#) && stored.event.contains(#""dry":true"#))
            let plain = try await client.execute(
                uri: "/api/v1/repos/acme%2Fapp/runs", method: .post, headers: fixture.auth(.operator))
            #expect(plain.status == .created)
            #expect(try APIFixture.json(plain)["ref"] as? String == "refs/heads/main")
            let cases: [(String, HTTPFields, String, HTTPResponse.Status)] = [
                ("/api/v1/repos/acme%2Fapp/runs", fixture.auth(.viewer), "{}", .forbidden),
                ("/api/v1/repos/acme%2Fnope/runs", json, "{}", .notFound),
                ("/api/v1/repos/acme%2Fapp/runs", json, #"{"ref": "bad..ref"}"#, .unprocessableContent),
                ("/api/v1/repos/acme%2Fapp/runs", json, #"{"ref": "a b"}"#, .unprocessableContent),
                ("/api/v1/repos/acme%2Fapp/runs", json, #"{"inputs": {"x": [1]}}"#, .unprocessableContent),
                ("/api/v1/repos/acme%2Fapp/runs", json, #"{"inputs": "x"}"#, .unprocessableContent),
            ]
            for (uri, headers, text, status) in cases {
                let answer = try await client.execute(
                    uri: uri, method: .post, headers: headers, body: ByteBuffer(string: text))
                #expect(answer.status == status, "\(uri) \(text)")
            }
            let audit = try fixture.store.audit(since: nil, until: nil, limit: 10)
            #expect(audit.map(\.action) == ["run.trigger", "run.trigger"])
            #expect(audit.first?.actor == "t-operator" && audit.first?.details == "acme/app refs/heads/release")
        }
    }
}
