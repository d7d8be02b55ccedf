import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The dashboard through real HTTP: sign-in and sessions, CSRF on forms and on the API, roles, pages over stored runs,
/// and text from runs that tries to inject HTML.
@Suite("Dashboard: sign-in, sessions, CSRF, roles and pages", .serialized)
struct DashboardTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in with `role`'s token; the session cookie (as a `Cookie` header) and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol, _ fixture: APIFixture, _ role: APIRole) async throws
        -> (cookie: HTTPFields, csrf: String)
    {
        let token = try #require(fixture.auth(role)[.authorization]).replacingOccurrences(of: "Bearer ", with: "")
        let response = try await client.execute(
            uri: "/sign-in", method: .post, headers: form,
            body: ByteBuffer(string: "token=\(token)&next=%2Fbreakers"))
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/breakers")
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Strict"))
        let value = try #require(setCookie.split(separator: ";").first)
        let cookie: HTTPFields = [.cookie: String(value)]
        let page = try await client.execute(uri: "/breakers", method: .get, headers: cookie)
        #expect(page.status == .ok)
        return (cookie, try #require(csrf(in: String(buffer: page.body))))
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf-token" content="([^"]+)""#, options: .regularExpression) else {
            return nil
        }
        return String(html[range].dropFirst(#"name="csrf-token" content=""#.count).dropLast())
    }

    static func merged(_ a: HTTPFields, _ b: HTTPFields) -> HTTPFields {
        var fields = a
        for field in b { fields.append(field) }
        return fields
    }

    @Test("a page without a session goes to the sign-in form and back; a wrong token is refused in words")
    func signInFlow() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        try await buildApplication(fixture.context).test(.router) { client in
            let page = try await client.execute(uri: "/runs/3?x=1", method: .get)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/sign-in?next=/runs/3%3Fx%3D1")
            let formPage = try await client.execute(uri: "/sign-in?next=/runs/3", method: .get)
            #expect(String(buffer: formPage.body).contains(#"<input type="hidden" name="next" value="/runs/3">"#))
            let wrong = try await client.execute(
                uri: "/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "token=dft_nope&next=%2F"))
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("This token is not known to this server"))
            let token = fixture.auth(.viewer)[.authorization]?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            let elsewhere = try await client.execute(
                uri: "/sign-in", method: .post, headers: Self.form,
                body: ByteBuffer(string: "token=\(token)&next=%2F%2Fevil.example"))
            #expect(elsewhere.headers[.location] == "/")
            let forged = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: "devflow_session=v1.abc.99999999999.forged"])
            #expect(forged.status == .seeOther)
        }
    }

    @Test("the runs list and a run page show stored runs; a branch holding HTML is shown as text")
    func pagesEscapeWhatRunsHold() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let evil = "<script>alert(1)</script>"
        let id = try fixture.seedRun(branch: evil, nodes: ["build": "succeeded", "test": "failed"])
        try await buildApplication(fixture.context).test(.router) { client in
            let (cookie, _) = try await Self.signIn(client, fixture, .viewer)
            let list = try await client.execute(uri: "/", method: .get, headers: cookie)
            let html = String(buffer: list.body)
            #expect(list.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(html.contains(#"<tr data-run-id="\#(id)" data-status="succeeded">"#))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains(evil))
            let run = try await client.execute(uri: "/runs/\(id)", method: .get, headers: cookie)
            let page = String(buffer: run.body)
            #expect(page.contains(#"<tr data-node-id="test" data-status="failed">"#))
            #expect(page.contains(#"href="/runs/\#(id)/nodes/build/log""#))
            #expect(!page.contains(evil))
            #expect(!page.contains(#"id="cancel-run""#))
            let log = try await client.execute(uri: "/runs/\(id)/nodes/build/log", method: .get, headers: cookie)
            #expect(String(buffer: log.body).contains(#"data-log-url="/api/v1/runs/\#(id)/nodes/build/log""#))
            let missing = try await client.execute(uri: "/runs/999", method: .get, headers: cookie)
            #expect(missing.status == .notFound)
            let filtered = try await client.execute(uri: "/?status=failed", method: .get, headers: cookie)
            #expect(String(buffer: filtered.body).contains("No run matches these filters."))
            let badStatus = try await client.execute(uri: "/?status=weird", method: .get, headers: cookie)
            #expect(badStatus.status == .badRequest)
        }
    }

    @Test("cancelling from the run page needs operator and the form's CSRF token; the API takes the session too")
    func cancelNeedsRoleAndCSRF() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let running = try fixture.seedRun(status: .running, nodes: ["build": "running"])
        try await buildApplication(fixture.context).test(.router) { client in
            let viewer = try await Self.signIn(client, fixture, .viewer)
            let viewerPost = try await client.execute(
                uri: "/runs/\(running)/cancel", method: .post, headers: Self.merged(Self.form, viewer.cookie),
                body: ByteBuffer(string: "_csrf=\(viewer.csrf)"))
            #expect(viewerPost.status == .forbidden)
            #expect(String(buffer: viewerPost.body).contains("has role viewer"))
            let apiByViewer = try await client.execute(
                uri: "/api/v1/runs/\(running)/cancel", method: .post,
                headers: Self.merged(viewer.cookie, [HTTPField.Name("X-CSRF-Token")!: viewer.csrf]))
            #expect(apiByViewer.status == .forbidden)

            let op = try await Self.signIn(client, fixture, .operator)
            let page = try await client.execute(uri: "/runs/\(running)", method: .get, headers: op.cookie)
            #expect(
                String(buffer: page.body).contains(
                    #"<form id="cancel-run" method="post" action="/runs/\#(running)/cancel">"#))
            let noToken = try await client.execute(
                uri: "/runs/\(running)/cancel", method: .post, headers: Self.merged(Self.form, op.cookie),
                body: ByteBuffer(string: "_csrf=wrong"))
            #expect(noToken.status == .forbidden)
            #expect(try fixture.store.run(running)?.cancelRequested == nil)
            let apiNoHeader = try await client.execute(
                uri: "/api/v1/runs/\(running)/cancel", method: .post, headers: op.cookie)
            #expect(apiNoHeader.status == .forbidden)
            #expect(try APIFixture.errorCode(apiNoHeader) == "csrf_failed")
            let cancelled = try await client.execute(
                uri: "/runs/\(running)/cancel", method: .post, headers: Self.merged(Self.form, op.cookie),
                body: ByteBuffer(string: "_csrf=\(op.csrf)"))
            #expect(cancelled.status == .seeOther)
            #expect(try fixture.store.run(running)?.cancelRequested?.contains("from the dashboard") == true)
            let list = try await client.execute(uri: "/api/v1/runs", method: .get, headers: op.cookie)
            #expect(list.status == .ok)
            let audit = try fixture.store.audit(since: nil, until: nil, limit: 100).map(\.action)
            #expect(audit.contains("run.cancel"))
            #expect(audit.contains("dashboard.sign_in"))
        }
    }

    @Test("a revoked token ends its sessions; signing out clears the cookie")
    func revocationEndsSessions() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        try await buildApplication(fixture.context).test(.router) { client in
            let viewer = try await Self.signIn(client, fixture, .viewer)
            let out = try await client.execute(
                uri: "/sign-out", method: .post, headers: Self.merged(Self.form, viewer.cookie),
                body: ByteBuffer(string: "_csrf=\(viewer.csrf)"))
            #expect(out.status == .seeOther)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            _ = try fixture.store.revokeToken(named: "t-viewer", at: Date())
            let after = try await client.execute(uri: "/", method: .get, headers: viewer.cookie)
            #expect(after.status == .seeOther)
            let api = try await client.execute(uri: "/api/v1/runs", method: .get, headers: viewer.cookie)
            #expect(api.status == .unauthorized)
        }
    }

    @Test("assets are served from the binary with validators; unknown pages and assets are 404s")
    func assetsAndNotFound() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        try await buildApplication(fixture.context).test(.router) { client in
            let script = try await client.execute(uri: "/assets/dashboard.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let etag = try #require(script.headers[.eTag])
            let again = try await client.execute(
                uri: "/assets/dashboard.js", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(try await client.execute(uri: "/assets/nope.js", method: .get).status == .notFound)
            let page = try await client.execute(uri: "/no/such/page", method: .get)
            #expect(page.status == .notFound)
            #expect(String(buffer: page.body).contains("There is no page at /no/such/page."))
        }
    }

    @Test("DORA and insights pages: an empty window says so; a bad window is a 400 that says why")
    func analyticsPages() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        try APIAnalyticsTests.record(fixture.store, hoursAgo: 30, deployed: true)
        try APIAnalyticsTests.record(fixture.store, hoursAgo: 20, deployed: false)
        try await buildApplication(fixture.context).test(.router) { client in
            let viewer = try await Self.signIn(client, fixture, .viewer)
            let dora = String(
                buffer: try await client.execute(uri: "/dora?window=7d", method: .get, headers: viewer.cookie).body)
            #expect(dora.contains(#"data-metric="change_failure_rate""#))
            #expect(dora.contains("<svg class=\"chart\""))
            #expect(dora.contains("level level-"))
            let empty = String(
                buffer: try await client.execute(uri: "/dora?window=1h", method: .get, headers: viewer.cookie).body)
            #expect(empty.contains(#"id="no-deployments""#))
            #expect(!empty.contains(#"data-metric="#))
            let bad = try await client.execute(uri: "/dora?window=0d", method: .get, headers: viewer.cookie)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains(#"class="error""#))
            let insights = String(
                buffer: try await client.execute(uri: "/insights?window=7d", method: .get, headers: viewer.cookie).body)
            #expect(insights.contains(#"<option value="ship" selected>ship</option>"#))
            #expect(insights.contains(#"data-node-id="deploy""#))
        }
    }

    @Test("timestamps=true starts each log line with its chunk's time; without it the text is as stored")
    func logTimestamps() async throws {
        let fixture = try APIFixture()
        try fixture.makeTokens()
        let id = try fixture.seedRun()
        try fixture.store.appendLog(run: id, node: "build", attempt: 1, stream: "stdout", lines: ["one", "two"])
        try await buildApplication(fixture.context).test(.router) { client in
            let plain = try await client.execute(
                uri: "/api/v1/runs/\(id)/nodes/build/log", method: .get, headers: fixture.auth(.viewer))
            #expect(String(buffer: plain.body) == "one\ntwo\n")
            let stamped = try await client.execute(
                uri: "/api/v1/runs/\(id)/nodes/build/log?timestamps=true", method: .get, headers: fixture.auth(.viewer))
            let lines = String(buffer: stamped.body).split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            #expect(
                lines.allSatisfy {
                    $0.range(of: #"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (one|two)$"#, options: .regularExpression)
                        != nil
                })
        }
    }
}
