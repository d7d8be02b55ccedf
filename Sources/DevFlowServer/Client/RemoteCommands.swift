import DevFlowGraph
import DevFlowRunCommands
import Foundation

/// `devflow runs list|show|logs` and `devflow breakers …` with `--server URL --token TOKEN` (or `DEVFLOW_SERVER` and
/// `DEVFLOW_TOKEN`): the same commands, answered by a server's API instead of a local database.
public enum RemoteCommands {
    /// What a command prints and its exit code.
    public typealias Output = StoreCommands.Output

    /// The server and token from the flags, else the environment; nil when neither names a server.
    public static func client(
        server: String?, token: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Result<APIClient, Output>? {
        guard let server = server ?? environment["DEVFLOW_SERVER"], !server.isEmpty else { return nil }
        guard let token = token ?? environment["DEVFLOW_TOKEN"], !token.isEmpty else {
            return .failure(
                Output(errors: "devflow: --server needs a token: pass --token TOKEN or set DEVFLOW_TOKEN\n", code: 2))
        }
        return .success(APIClient(server: server, token: token))
    }

    /// `devflow runs list --server …`: the table `devflow runs list` prints.
    public static func list(_ client: APIClient, limit: Int, query: [String: String] = [:]) async -> Output {
        var components = URLComponents()
        components.path = "/api/v1/runs"
        components.queryItems =
            [URLQueryItem(name: "limit", value: String(min(max(limit, 1), 200)))]
            + query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        do {
            let page = try await client.json(components.string ?? "/api/v1/runs")
            guard case .array(let runs) = page.objectMembers["runs"] else { return unexpected() }
            var text = "RUN  STATUS       PIPELINE              STARTED (UTC)        DURATION  BRANCH\n"
            for run in runs {
                let fields = run.objectMembers
                let duration = number(fields["duration_ms"]).map { String(format: "%.1fs", $0 / 1000) } ?? "-"
                text +=
                    string(fields["id"]).padding(toLength: 5, withPad: " ", startingAt: 0)
                    + string(fields["status"]).padding(toLength: 13, withPad: " ", startingAt: 0)
                    + string(fields["pipeline"]).padding(toLength: 22, withPad: " ", startingAt: 0)
                    + time(fields["started_at"]).padding(toLength: 21, withPad: " ", startingAt: 0)
                    + duration.padding(toLength: 10, withPad: " ", startingAt: 0) + string(fields["branch"]) + "\n"
            }
            return Output(text: text)
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow runs show RUN --server …`.
    public static func show(_ client: APIClient, run id: Int64) async -> Output {
        do {
            let run = try await client.json("/api/v1/runs/\(id)").objectMembers
            var text = "run \(id): \(string(run["pipeline"])) (\(string(run["file"]))) \(string(run["status"]))\n"
            if case .string(let reason) = run["status_reason"] { text += "  reason \(reason)\n" }
            text +=
                "  repository \(string(run["repository"])), ref \(string(run["ref"])), commit \(string(run["commit"]))\n"
            text += "  started \(time(run["started_at"])), finished \(time(run["finished_at"]))\n"
            if case .array(let diagnostics) = run["diagnostics"], !diagnostics.isEmpty {
                text += "  diagnostics:\n"
                for diagnostic in diagnostics { text += "    \(diagnostic.compactJSON)\n" }
            }
            let attempts: [JSONValue] = if case .array(let all) = run["attempts"] { all } else { [] }
            if case .array(let nodes) = run["nodes"] {
                for node in nodes.map(\.objectMembers) {
                    let allowed = node["allowed_failure"] == .bool(true) ? " (allowed)" : ""
                    let reason = node["reason"].flatMap { value in value == .null ? nil : " — \(string(value))" } ?? ""
                    text += "\n  \(string(node["id"])): \(string(node["status"]))\(allowed)\(reason)\n"
                    for attempt in attempts.map(\.objectMembers) where attempt["node"] == node["id"] {
                        var line =
                            "    attempt \(string(attempt["number"])): \(string(attempt["status"])) in "
                            + "\(string(attempt["duration_ms"])) ms"
                        if attempt["exit_code"] != .null { line += ", exit \(string(attempt["exit_code"]))" }
                        if attempt["signal"] != .null { line += ", signal \(string(attempt["signal"]))" }
                        if attempt["retry_reason"] != .null { line += "; \(string(attempt["retry_reason"]))" }
                        if attempt["error"] != .null { line += "; \(string(attempt["error"]))" }
                        text += line + "\n"
                    }
                    for (name, value) in (node["outputs"]?.objectMembers ?? [:]).sorted(by: { $0.key < $1.key }) {
                        text += "    output \(name)=\(string(value))\n"
                    }
                }
            }
            return Output(text: text)
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow runs logs RUN [NODE] --server … [--follow]`: the log as it is, or followed live until the node (or
    /// the run) ends, resuming with `Last-Event-ID` when the connection drops. Lines are printed as they come; the
    /// exit code says whether what was followed succeeded.
    public static func logs(
        _ client: APIClient, run id: Int64, node: String?, follow: Bool, write: (String) -> Void = printStandard
    ) async -> Output {
        let encodedNode = node?.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        do {
            guard follow else {
                if let encodedNode {
                    write(try await client.text("/api/v1/runs/\(id)/nodes/\(encodedNode)/log"))
                    return Output()
                }
                let run = try await client.json("/api/v1/runs/\(id)").objectMembers
                guard case .array(let nodes) = run["nodes"] else { return unexpected() }
                for name in nodes.map({ string($0.objectMembers["id"]) }) {
                    let path = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
                    let text = try await client.text("/api/v1/runs/\(id)/nodes/\(path ?? name)/log")
                    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                        write("[\(name)] \(line)\n")
                    }
                }
                return Output()
            }
            let path =
                encodedNode.map { "/api/v1/runs/\(id)/nodes/\($0)/log/stream" } ?? "/api/v1/runs/\(id)/log/stream"
            let end = try await client.follow(path) { _, _, data in
                guard let line = JSONValue.parse(data)?.objectMembers else {
                    return
                }
                let text = string(line["line"])
                write(node == nil ? "[\(string(line["node"]))#\(string(line["attempt"]))] \(text)\n" : text + "\n")
            }
            let status = JSONValue.parse(end)?.objectMembers["status"]
            let final = string(status)
            return Output(
                errors: "devflow: \(node.map { "node \($0)" } ?? "run \(id)") \(final)\n",
                code: final == "succeeded" || final == "up_to_date" || final == "skipped" ? 0 : 1)
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow breakers list|reset|open|disable [NAME] --server …`.
    public static func breakers(_ client: APIClient, action: String, name: String?) async -> Output {
        do {
            if action == "list" {
                let answer = try await client.json("/api/v1/breakers")
                var text = "BREAKER               STATE      MODE         OPENED (UTC)\n"
                if case .array(let breakers) = answer.objectMembers["breakers"] {
                    for breaker in breakers.map(\.objectMembers) {
                        text +=
                            string(breaker["name"]).padding(toLength: 22, withPad: " ", startingAt: 0)
                            + string(breaker["state"]).padding(toLength: 11, withPad: " ", startingAt: 0)
                            + string(breaker["mode"]).padding(toLength: 13, withPad: " ", startingAt: 0)
                            + time(breaker["opened_at"]) + "\n"
                    }
                }
                return Output(text: text)
            }
            guard let name else {
                return Output(errors: "devflow: 'breakers \(action)' needs a breaker name\n", code: 2)
            }
            let path = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name
            let breaker = try await client.json("/api/v1/breakers/\(path)/\(action)", method: .POST).objectMembers
            return Output(text: "breaker '\(name)': \(string(breaker["state"])), \(string(breaker["mode"]))\n")
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// Writes to standard output at once (a followed log must not wait in a buffer).
    public static func printStandard(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func unexpected() -> Output {
        Output(errors: "devflow: the server's answer has an unexpected shape\n", code: 1)
    }

    /// A value as text (`-` for null or missing; whole numbers without a fraction).
    static func string(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "-" }
        return value.interpolated
    }

    static func number(_ value: JSONValue?) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }

    /// An API time (`2026-12-02T03:04:10.155Z`) as the local commands print it (`2026-12-02 03:04:10`).
    static func time(_ value: JSONValue?) -> String {
        guard case .string(let text) = value, text.count >= 19 else { return "-" }
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
