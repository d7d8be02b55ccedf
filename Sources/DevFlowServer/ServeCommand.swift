import DevFlowDiagnostics
import DevFlowGraph
import DevFlowStore
import Foundation
import Hummingbird
import Logging

/// The library entry point of `devflow serve`: load and check the configuration, open the store, build the
/// application and run it until SIGTERM or SIGINT (graceful: no new claims, running steps get the grace period).
public enum ServeCommand {
    /// Checks `config` and prints every problem; returns the exit code (0 valid, 1 invalid, 2 unreadable).
    public static func check(config: String) -> Int32 {
        do {
            let (_, diagnostics) = try ServerSettings.check(path: config)
            if diagnostics.isEmpty {
                print("\(config): ok")
                return 0
            }
            FileHandle.standardError.write(Data((ServerSettings.render(diagnostics, path: config) + "\n").utf8))
            return diagnostics.contains { $0.severity == .error } ? 1 : 0
        } catch {
            FileHandle.standardError.write(Data("devflow serve: \(error)\n".utf8))
            return 2
        }
    }

    /// Runs the server; returns the exit code.
    public static func serve(
        config: String, listen: String?, db: String?, data: String?, workers: Int?, processes: Int? = nil,
        labels: [String]? = nil,
        demoData: Bool = false
    ) async -> Int32 {
        if let problem = WorkerLabel.problem(labels ?? []) {
            FileHandle.standardError.write(Data("devflow serve: \(problem)\n".utf8))
            return 2
        }
        let settings: ServerSettings
        do {
            settings = try ServerSettings.load(
                path: config, listen: listen, db: db, data: data, workers: workers, processes: processes, labels: labels
            )
        } catch {
            FileHandle.standardError.write(Data("devflow serve: \(error)\n".utf8))
            return 2
        }
        do {
            var settings = settings
            if settings.agentExecutable == nil { settings.agentExecutable = Self.runningExecutable() }
            raiseOpenFileLimit()
            let context = try ServerContext(settings: settings)
            var logger = Logger(label: "devflow.server")
            logger.logLevel = .info
            if demoData {
                guard let store = context.store as? SQLiteRunStore else {
                    throw ServerSetupError(
                        "--demo-data fills a SQLite store; it does not write demo runs to PostgreSQL")
                }
                let existing = try store.runCount()
                if existing == 0 {
                    let count = try DemoHistory().fill(store)
                    logger.info("demo data: \(count) runs over 90 days of acme/app (ci and ship) added to the store")
                } else {
                    logger.info("demo data: the store already holds \(existing) runs; nothing added")
                }
            }
            let app = buildApplication(context, logger: logger)
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            return 0
        } catch {
            FileHandle.standardError.write(Data("devflow serve: \(error)\n".utf8))
            return 3
        }
    }

    /// `/proc/self/exe`, the `devflow` binary that runs built-in agents in a child process.
    static func runningExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Raises this process's soft limit on open files to its hard limit, as Go's runtime and nginx's
/// `worker_rlimit_nofile` do: every run in flight may hold sockets (a model's answer, the store) and pipes, and
/// the usual soft limit of 1,024 would fail the 1,025th with "too many open files". Steps inherit the raised limit.
func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
