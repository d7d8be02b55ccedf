import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// `devflow runs list|show|logs` and `devflow breakers list|reset|open|disable`: reading and operating the store.
public enum StoreCommands {
    /// A command's printed text and exit code.
    public struct Output: Error, Sendable {
        /// Standard output.
        public var text: String
        /// Standard error.
        public var errors: String = ""
        /// Exit code.
        public var code: Int32 = 0

        /// Creates an output.
        public init(text: String = "", errors: String = "", code: Int32 = 0) {
            self.text = text
            self.errors = errors
            self.code = code
        }

        /// Writes the text and errors; returns the exit code.
        public func emit() -> Int32 {
            FileHandle.standardOutput.write(Data(text.utf8))
            FileHandle.standardError.write(Data(errors.utf8))
            return code
        }
    }

    /// Opens the store at `database` (a SQLite path or a `postgres://` URL; the default SQLite file if nil), or says
    /// why it cannot.
    public static func open(_ database: String?, directory: String) -> Result<any ServerStore, Output> {
        let path = database ?? RunCommands.defaultDatabase(in: directory)
        guard database != nil || FileManager.default.fileExists(atPath: path) else {
            return .failure(
                Output(
                    text: "", errors: "devflow: no run database at \(path); run 'devflow run' first or pass --db\n",
                    code: 2))
        }
        do {
            let store = try StoreLocation.open(path)
            // A run whose runner died shows what it finished (from its journal) and reads `interrupted`.
            _ = try? RunCommands.settleInterruptedRuns(store)
            return .success(store)
        } catch {
            return .failure(
                Output(text: "", errors: "devflow: cannot open \(StoreLocation.display(path)): \(error)\n", code: 3))
        }
    }

    static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static func time(_ date: Date?) -> String { date.map { formatter.string(from: $0) } ?? "-" }

    /// `devflow runs list`.
    public static func list(database: String?, limit: Int, directory: String = FileManager.default.currentDirectoryPath)
        -> Output
    {
        switch open(database, directory: directory) {
        case .failure(let output): return output
        case .success(let store):
            guard let runs = try? store.runs(limit: limit) else {
                return Output(text: "", errors: "devflow: cannot read runs\n", code: 3)
            }
            var text = "RUN  STATUS       PIPELINE              STARTED (UTC)        DURATION  BRANCH\n"
            for run in runs {
                let duration =
                    run.finishedAt.flatMap { end in
                        run.startedAt.map { String(format: "%.1fs", end.timeIntervalSince($0)) }
                    } ?? "-"
                text +=
                    String(run.id ?? 0).padding(toLength: 5, withPad: " ", startingAt: 0)
                    + run.status.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + run.pipeline.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + time(run.startedAt).padding(toLength: 21, withPad: " ", startingAt: 0)
                    + duration.padding(toLength: 10, withPad: " ", startingAt: 0) + (run.gitBranch ?? "-") + "\n"
            }
            return Output(text: text)
        }
    }

    /// `devflow runs show RUN`: the run, each node with its attempts, outputs and exported variables.
    public static func show(
        run id: Int64, database: String?, directory: String = FileManager.default.currentDirectoryPath
    ) -> Output {
        switch open(database, directory: directory) {
        case .failure(let output): return output
        case .success(let store):
            guard let run = try? store.run(id) else {
                return Output(text: "", errors: "devflow: no run \(id)\n", code: 2)
            }
            let nodes = (try? store.nodes(run: id)) ?? []
            let attempts = (try? store.attempts(run: id)) ?? []
            let outputs = (try? store.outputs(run: id)) ?? [:]
            let exported = (try? store.exportedVariables(run: id)) ?? [:]
            var text = "run \(id): \(run.pipeline) (\(run.file)) \(run.status.rawValue)\n"
            if let reason = run.statusReason { text += "  reason \(reason)\n" }
            text += "  graph \(run.graphHash)\n  event \(run.event)\n"
            text +=
                "  started \(time(run.startedAt)), finished \(time(run.finishedAt)), pid \(run.pid) on \(run.host)\n"
            if let resumed = run.resumedFrom { text += "  resumes run \(resumed)\n" }
            let ordered = nodes.sorted { a, b in
                let left = a.finishedAt ?? Date.distantFuture
                let right = b.finishedAt ?? Date.distantFuture
                return left != right ? left < right : a.nodeId < b.nodeId
            }
            for node in ordered {
                text +=
                    "\n  \(node.nodeId): \(node.status)\(node.allowedFailure ? " (allowed)" : "")\(node.reason.map { " — \($0)" } ?? "")\n"
                for attempt in attempts where attempt.nodeId == node.nodeId {
                    var line = "    attempt \(attempt.number): \(attempt.status) in \(attempt.durationMs) ms"
                    if let code = attempt.exitCode { line += ", exit \(code)" }
                    if let signal = attempt.signal { line += ", signal \(signal)" }
                    if let reason = attempt.retryReason { line += "; \(reason)" }
                    if let error = attempt.error { line += "; \(error)" }
                    text += line + "\n"
                }
                for (name, value) in (outputs[node.nodeId] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    text += "    output \(name)=\(indented(value))\n"
                }
                for (name, value) in (exported[node.nodeId] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    text += "    env \(name)=\(indented(value))\n"
                }
                if let summary = node.summary {
                    text += "    summary:\n"
                    let lines = summary.split(separator: "\n", omittingEmptySubsequences: false)
                    for line in lines.dropLast(summary.hasSuffix("\n") ? 1 : 0) { text += "      │ \(line)\n" }
                }
            }
            return Output(text: text)
        }
    }

    /// A multi-line value with its later lines indented under the first.
    static func indented(_ value: String) -> String {
        value.replacingOccurrences(of: "\n", with: "\n      ")
    }

    /// `devflow runs logs RUN [NODE]`.
    public static func logs(
        run id: Int64, node: String?, database: String?, directory: String = FileManager.default.currentDirectoryPath
    ) -> Output {
        switch open(database, directory: directory) {
        case .failure(let output): return output
        case .success(let store):
            guard (try? store.run(id)) != nil else {
                return Output(text: "", errors: "devflow: no run \(id)\n", code: 2)
            }
            // A step id selects every leg of a matrix step (`test` → `test[suite=Core]`, `test[suite=Server]`).
            let chunks = ((try? store.logs(run: id, node: nil)) ?? []).filter { chunk in
                guard let node else { return true }
                return chunk.nodeId == node || chunk.nodeId.hasPrefix(node + "[")
            }
            var text = ""
            for chunk in chunks {
                for line in chunk.text.split(separator: "\n", omittingEmptySubsequences: false) {
                    text +=
                        node == nil || chunk.nodeId != node
                        ? "[\(chunk.nodeId)#\(chunk.attempt)] \(line)\n" : "\(line)\n"
                }
            }
            return Output(text: text)
        }
    }

    /// `devflow breakers list|reset|open|disable [NAME]`.
    public static func breakers(
        action: String, name: String?, database: String?, directory: String = FileManager.default.currentDirectoryPath
    ) -> Output {
        switch open(database, directory: directory) {
        case .failure(let output): return output
        case .success(let store):
            if action == "list" {
                let all = (try? store.breakers()) ?? []
                var text = "BREAKER               STATE      MODE         OPENED (UTC)\n"
                for breaker in all {
                    text +=
                        breaker.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + breaker.state.padding(toLength: 11, withPad: " ", startingAt: 0)
                        + breaker.mode.padding(toLength: 13, withPad: " ", startingAt: 0) + time(breaker.openedAt)
                        + "\n"
                }
                return Output(text: text)
            }
            guard let name else {
                return Output(text: "", errors: "devflow: 'breakers \(action)' needs a breaker name\n", code: 2)
            }
            let now = Date()
            do {
                let operation = BreakerOperation(rawValue: action) ?? .disable
                let record = try store.updateBreaker(name, now: now, runId: nil) { record in
                    operation.apply(to: &record, now: now)
                }
                try store.recordAudit(
                    AuditRecord(
                        at: now, actor: AuditActor.commandLine, action: operation.auditAction,
                        target: "breaker/\(name)",
                        address: "local"))
                return Output(text: "breaker '\(name)': \(record.state), \(record.mode)\n")
            } catch {
                return Output(text: "", errors: "devflow: \(error)\n", code: 3)
            }
        }
    }
}
