import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Tokens, roles, the audit log and rate limits of `/api/v1`.
@Suite("API access", .serialized)
struct APIAccessTests {
    @Test("a server with no token refuses API calls and says how to make one; health stays open")
    func noTokenYet() async throws {
        let fixture = try APIFixture()
        try await buildApplication(fixture.context).test(.live) { client in
            let response = try await client.execute(uri: "/api/v1/runs", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            let message = (try APIFixture.json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("devflow tokens create"), "\(message)")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/openapi.json", method: .get).status == .ok)
        }
    }

    @Test("missing, malformed, unknown, expired and revoked tokens are 401s that say which")
    func badTokens() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let (expired, _) = try TokenCommands.create(
            name: "old", role: .admin, expiresAt: Date().addingTimeInterval(-1), store: fixture.store)
        let (revoked, _) = try TokenCommands.create(name: "gone", role: .admin, expiresAt: nil, store: fixture.store)
        _ = try fixture.store.revokeToken(named: "gone", at: Date())
        let cases: [(String?, String)] = [
            (nil, "send an API token"), ("Basic dXNlcjpwYXNz", "must be `Bearer TOKEN`"), ("Bearer", "must be `Bearer"),
            ("Bearer dft_notatoken", "not known"), ("Bearer \(expired)", "token 'old' expired"),
            ("Bearer \(revoked)", "token 'gone' was revoked"),
        ]
        try await buildApplication(fixture.context).test(.live) { client in
            for (header, expected) in cases {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                let response = try await client.execute(uri: "/api/v1/runs", method: .get, headers: headers)
                #expect(response.status == .unauthorized, "\(header ?? "none")")
                #expect(try APIFixture.errorCode(response) == "unauthenticated")
                let message = (try APIFixture.json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains(expected), "\(header ?? "none"): \(message)")
            }
            let good = try await client.execute(uri: "/api/v1/runs", method: .get, headers: fixture.auth(.viewer))
            #expect(good.status == .ok)
        }
        // Only the hash is stored, and the last use is recorded.
        let stored = try fixture.store.tokens()
        #expect(stored.allSatisfy { $0.hash.count == 64 && !$0.hash.hasPrefix("dft_") })
        #expect(stored.first { $0.name == "t-viewer" }?.lastUsedAt != nil)
    }

    @Test("viewer reads; operator also cancels and operates breakers; admin also manages tokens and reads the audit")
    func roles() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let queued = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        _ = try fixture.store.updateBreaker("llm", now: Date(), runId: nil) { _ in nil }
        let routes: [(HTTPRequest.Method, String, APIRole)] = [
            (.get, "/api/v1/runs", .viewer), (.get, "/api/v1/runs/\(queued)", .viewer),
            (.get, "/api/v1/breakers", .viewer), (.get, "/api/v1/deliveries", .viewer),
            (.post, "/api/v1/breakers/llm/open", .operator), (.get, "/api/v1/tokens", .admin),
            (.get, "/api/v1/audit", .admin), (.get, "/api/v1/workers", .viewer),
        ]
        try await buildApplication(fixture.context).test(.live) { client in
            for (method, path, needed) in routes {
                for role in APIRole.allCases {
                    let response = try await client.execute(uri: path, method: method, headers: fixture.auth(role))
                    if role >= needed {
                        #expect(response.status.code < 300, "\(role) \(method) \(path): \(response.status)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) \(method) \(path): \(response.status)")
                        #expect(try APIFixture.errorCode(response) == "forbidden")
                    }
                }
            }
            let denied = try await client.execute(
                uri: "/api/v1/runs/\(queued)/cancel", method: .post, headers: fixture.auth(.viewer))
            #expect(denied.status == .forbidden)
            let cancelled = try await client.execute(
                uri: "/api/v1/runs/\(queued)/cancel", method: .post,
                headers: fixture.auth(.operator).merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"reason": "wrong branch"}"#))
            #expect(cancelled.status == .accepted)
            #expect(try fixture.store.run(queued)?.cancelRequested == "wrong branch")
            let again = try await client.execute(
                uri: "/api/v1/runs/\(queued)/cancel", method: .post, headers: fixture.auth(.operator))
            #expect(
                again.status == .accepted, "a repeated cancel of a run still stopping is accepted (and audited) again")
            let created = try await client.execute(
                uri: "/api/v1/tokens", method: .post,
                headers: fixture.auth(.admin).merging([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"name": "deploy-bot", "role": "operator", "expires": "30d"}"#))
            #expect(created.status == .created)
            let token = try APIFixture.json(created)["token"] as? String ?? ""
            #expect(token.hasPrefix("dft_"))
            let asBot = try await client.execute(
                uri: "/api/v1/runs", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(asBot.status == .ok)
            let revoked = try await client.execute(
                uri: "/api/v1/tokens/deploy-bot", method: .delete, headers: fixture.auth(.admin))
            #expect(revoked.status == .ok)
            let afterRevoke = try await client.execute(
                uri: "/api/v1/runs", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(afterRevoke.status == .unauthorized)
            let audit = try await client.execute(uri: "/api/v1/audit", method: .get, headers: fixture.auth(.admin))
            let entries = try APIFixture.json(audit)["entries"] as? [[String: Any]] ?? []
            let actions = entries.map { "\($0["actor"] ?? "") \($0["action"] ?? "") \($0["target"] ?? "")" }
            #expect(
                actions == [
                    "t-operator breaker.open breaker/llm", "t-admin breaker.open breaker/llm",
                    "t-operator run.cancel run/\(queued)", "t-operator run.cancel run/\(queued)",
                    "t-admin token.create token/deploy-bot",
                    "t-admin token.revoke token/deploy-bot",
                ], "\(actions)")
            #expect(entries.allSatisfy { ($0["address"] as? String)?.contains("127.0.0.1") == true }, "\(entries)")
            #expect(entries.first { $0["action"] as? String == "run.cancel" }?["details"] as? String == "wrong branch")
        }
    }

    @Test("the CLI's token commands: printed once, listed without the secret, revoked, all in the audit log")
    func tokenCommands() throws {
        let fixture = try APIFixture()
        let path = fixture.context.settings.databasePath
        let created = TokenCommands.create(name: "ci", role: "operator", expires: "90d", database: path)
        #expect(created.code == 0)
        let token = created.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("dft_") && token.count > 40)
        #expect(created.errors.contains("shown only now"))
        let listed = TokenCommands.list(database: path)
        #expect(listed.text.contains("ci") && listed.text.contains("operator") && !listed.text.contains(token))
        #expect(TokenCommands.create(name: "ci", role: "viewer", expires: nil, database: path).code == 1)
        #expect(TokenCommands.create(name: "x y", role: "viewer", expires: nil, database: path).code == 2)
        #expect(TokenCommands.create(name: "z", role: "root", expires: nil, database: path).code == 2)
        #expect(TokenCommands.create(name: "z", role: "viewer", expires: "soon", database: path).code == 2)
        #expect(TokenCommands.revoke(name: "ci", database: path).code == 0)
        #expect(TokenCommands.revoke(name: "ci", database: path).code == 1)
        let csv = TokenCommands.audit(since: nil, until: nil, format: "csv", database: path)
        let lines = csv.text.split(separator: "\n")
        #expect(lines.first == "at,actor,action,target,address,details")
        #expect(lines.dropFirst().map { $0.split(separator: ",")[2] } == ["token.create", "token.revoke"])
        let json = TokenCommands.audit(since: "2000-01-01", until: nil, format: "json", database: path)
        #expect(json.text.hasPrefix("[{") && json.text.contains(#""action":"token.revoke""#))
        #expect(TokenCommands.audit(since: "2999-01-01", until: nil, format: "json", database: path).text == "[]\n")
        #expect(TokenCommands.audit(since: "yesterday", until: nil, format: "text", database: path).code == 2)
    }

    @Test(
        "rate limits: a token's bucket empties into 429 with Retry-After and RateLimit headers; others are unaffected")
    func rateLimits() async throws {
        let fixture = try APIFixture(configure: { configuration in
            // Refills so slow (one request per 1000 s) that a loaded machine cannot refill a bucket mid-test.
            configuration.api.rateLimit = 0.001
            configuration.api.burst = 3
            configuration.api.anonymousRateLimit = 0.001
            configuration.api.anonymousBurst = 2
        })
        try fixture.makeTokens()
        try await buildApplication(fixture.context).test(.live) { client in
            var statuses: [UInt] = []
            var last: TestResponse?
            for _ in 0..<4 {
                let response = try await client.execute(
                    uri: "/api/v1/runs", method: .get, headers: fixture.auth(.viewer))
                statuses.append(UInt(response.status.code))
                last = response
            }
            #expect(statuses == [200, 200, 200, 429])
            let limited = try #require(last)
            #expect(try APIFixture.errorCode(limited) == "rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(limited.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(limited.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            let other = try await client.execute(uri: "/api/v1/runs", method: .get, headers: fixture.auth(.admin))
            #expect(other.status == .ok)
            // Without a valid token, the address's own (smaller) bucket applies, to bad tokens too.
            var anonymous: [UInt] = []
            for _ in 0..<3 {
                anonymous.append(
                    UInt(
                        try await client.execute(
                            uri: "/api/v1/runs", method: .get, headers: [.authorization: "Bearer dft_guess"]
                        ).status.code))
            }
            #expect(anonymous == [401, 401, 429])
        }
    }
}

extension HTTPFields {
    /// These fields with `other`'s added.
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result.append(field) }
        return result
    }
}
