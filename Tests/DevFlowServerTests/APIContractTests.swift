import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `/api/v1` against its contract: the served document is `docs/api/openapi.json` and names exactly the routes, and
/// the answers `scripts/api-fuzz.sh` (schemathesis) found wrong stay right.
@Suite("API contract", .serialized)
struct APIContractTests {
    /// A server with no workers, an admin token and one finished run (id 1) whose node `build` logged two lines.
    final class API: @unchecked Sendable {
        let fixture: ServerFixture
        let token: String

        init() throws {
            fixture = try ServerFixture(
                pipeline: "version: 1\nname: ci\non: {manual: {}}\nsteps: {build: {run: 'true'}}\n", workers: 0)
            let created = TokenCommands.create(
                name: "contract", role: "admin", expires: nil, database: fixture.context.settings.databasePath)
            token = created.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let store = fixture.context.store
            let now = Date()
            let run = try store.startRun(
                RunRecord(
                    id: nil, pipeline: "ci", file: ".devflow.yml", graphHash: "", graphJSON: "",
                    event: #"{"kind":"manual"}"#, gitCommit: nil, gitBranch: nil, gitAuthorTime: nil, status: .running,
                    queuedAt: now, startedAt: now, finishedAt: nil, pid: 1, host: "test", heartbeatAt: now,
                    resumedFrom: nil),
                nodes: ["build"])
            let id = try #require(run.id)
            try store.appendLog(run: id, node: "build", attempt: 1, stream: "stdout", lines: ["one", "two"])
            try store.finishRun(run: id, status: .succeeded, at: now)
        }

        var headers: HTTPFields { [.authorization: "Bearer \(token)"] }

        /// Sends one request and returns its status, headers and body.
        func send(
            _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
            headers extra: HTTPFields = [:], body: String? = nil
        ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
            var fields = headers
            fields.append(contentsOf: extra)
            let response = try await client.execute(
                uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(text: $0) })
            return (response.status, response.headers, String(buffer: response.body))
        }
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/api/openapi.json").path
    }

    @Test("the served document is docs/api/openapi.json; each of its operations is routed, other methods are 405")
    func documentMatchesRoutes() async throws {
        let api = try API()
        try await buildApplication(api.fixture.context).test(.router) { client in
            let served = try await api.send(client, .get, "/api/v1/openapi.json", headers: [:])
            #expect(served.status == .ok)
            #expect(served.body + "\n" == (try String(contentsOfFile: Self.documentPath, encoding: .utf8)))
            let paths = try #require(Self.object(served.body)["paths"] as? [String: [String: Any]])
            #expect(paths.count == 26)
            let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
            for (path, item) in paths {
                let uri = path.replacingOccurrences(of: "{run}", with: "1").replacingOccurrences(
                    of: "{node}", with: "build"
                ).replacingOccurrences(of: "{operation}", with: "reset").replacingOccurrences(
                    of: "{name}", with: "nobody"
                ).replacingOccurrences(of: "{repo}", with: "acme%2Fapp").replacingOccurrences(
                    of: "{delivery}", with: "1")
                // The events stream never ends: its GET is tested in APILogsTests.stateEvents.
                for method in methods where !(path == "/api/v1/events" && method == .get) {
                    let answer = try await api.send(client, method, uri)
                    let code = (Self.object(answer.body)["error"] as? [String: Any])?["code"] as? String
                    if item[method.rawValue.lowercased()] != nil {
                        #expect(answer.status != .methodNotAllowed, "\(method) \(path)")
                        #expect(!answer.body.contains("no API route"), "\(method) \(path): \(answer.body)")
                    } else {
                        #expect(answer.status == .methodNotAllowed, "\(method) \(path)")
                        #expect(code == "method_not_allowed")
                        let allow = answer.headers[.allow] ?? ""
                        let documented = item.keys.filter { $0 != "parameters" }.map { $0.uppercased() }
                        #expect(Set(allow.components(separatedBy: ", ")) == Set(documented), "\(path): \(allow)")
                    }
                }
            }
            #expect(try await api.send(client, .get, "/api/v1/nothing").status == .notFound)
        }
    }

    @Test("errors a handler throws carry the RateLimit headers too")
    func rateLimitHeadersOnErrors() async throws {
        let api = try API()
        try await buildApplication(api.fixture.context).test(.router) { client in
            for uri in ["/api/v1/runs/99", "/api/v1/runs?limit=0", "/api/v1/runs/1"] {
                let answer = try await api.send(client, .get, uri)
                #expect(answer.headers[HTTPField.Name("RateLimit-Remaining")!] != nil, "\(uri): \(answer.status)")
                #expect(answer.headers[HTTPField.Name("RateLimit-Limit")!] != nil)
            }
        }
    }

    @Test("a node log's offset plus limit past Int.max reads to the end instead of trapping")
    func logRangeSaturates() async throws {
        let api = try API()
        try await buildApplication(api.fixture.context).test(.router) { client in
            let answer = try await api.send(
                client, .get, "/api/v1/runs/1/nodes/build/log?offset=1&limit=9223372036854775806")
            #expect(answer.status == .ok)
            #expect(answer.body == "two\n")
            #expect(
                try await api.send(client, .get, "/api/v1/runs/1/nodes/build/log?download=yes").status == .badRequest)
            let download = try await api.send(client, .get, "/api/v1/runs/1/nodes/build/log?download=true")
            #expect(download.headers[.contentDisposition] == #"attachment; filename="run-1-build.log""#)
        }
    }

    @Test("Last-Event-ID: digits only, no line past Int.max, and a malformed query is refused even with a header")
    func lastEventID() async throws {
        let api = try API()
        let id = HTTPField.Name("Last-Event-ID")!
        try await buildApplication(api.fixture.context).test(.router) { client in
            let stream = "/api/v1/runs/1/nodes/build/log/stream"
            for bad in ["1.9223372036854775807", "+1.0", "1.-0", "1.", "1.0.0"] {
                #expect(try await api.send(client, .get, stream, headers: [id: bad]).status == .badRequest, "\(bad)")
            }
            #expect(
                try await api.send(client, .get, stream + "?last_event_id=x", headers: [id: "1.0"]).status
                    == .badRequest)
            let resumed = try await api.send(client, .get, stream + "?last_event_id=1.0", headers: [id: ""])
            #expect(resumed.status == .ok)
            #expect(resumed.body.hasPrefix("id: 1.1\ndata: "), "\(resumed.body)")
            #expect(resumed.body.hasSuffix("event: end\ndata: {\"status\":\"pending\"}\n\n"), "\(resumed.body)")
        }
    }

    @Test("token lifetimes are 1 to 9999 units: a longer one is a 422, not a crash or an unreadable token table")
    func tokenLifetimes() async throws {
        let api = try API()
        try await buildApplication(api.fixture.context).test(.router) { client in
            let json: HTTPFields = [.contentType: "application/json"]
            for (index, bad) in ["9999999999999w", "10000d", "05d", "+5d", "0h", "5y", "d"].enumerated() {
                let answer = try await api.send(
                    client, .post, "/api/v1/tokens", headers: json,
                    body: #"{"name":"t\#(index)","role":"viewer","expires":"\#(bad)"}"#)
                #expect(answer.status == .unprocessableContent, "\(bad): \(answer.body)")
            }
            let longest = try await api.send(
                client, .post, "/api/v1/tokens", headers: json,
                body: #"{"name":"long","role":"viewer","expires":"9999w"}"#)
            #expect(longest.status == .created, "\(longest.body)")
            #expect(try await api.send(client, .get, "/api/v1/tokens").status == .ok)
        }
    }

    @Test("lint's path is the file name in every format, escaped as the format needs")
    func lintPath() async throws {
        let api = try API()
        try await buildApplication(api.fixture.context).test(.router) { client in
            let json = try await api.send(client, .post, "/api/v1/lint?path=a%22b%5C.yml", body: "version: 1\n")
            let result = Self.object(json.body)
            let diagnostics = try #require(result["diagnostics"] as? [[String: Any]])
            #expect(!diagnostics.isEmpty)
            #expect(result["errors"] as? Int == diagnostics.count)
            #expect(diagnostics.allSatisfy { $0["file"] as? String == #"a"b\.yml"# })
            let sarif = try await api.send(
                client, .post, "/api/v1/lint?format=sarif&path=ci%20x.yml", body: "version: 1\n")
            #expect(sarif.headers[.contentType] == "application/sarif+json")
            #expect(sarif.body.contains("ci%20x.yml"), "\(sarif.body.prefix(600))")
            #expect(!sarif.body.contains("%3Cstdin%3E"))
        }
    }
}
