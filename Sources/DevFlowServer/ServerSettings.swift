import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowStore
import Foundation

/// A server configuration with its secrets resolved and the command line's overrides applied: what
/// `buildApplication` needs, and nothing it has to look up again.
public struct ServerSettings: Sendable {
    /// The checked configuration.
    public var configuration: ServerConfiguration
    /// Where to listen.
    public var address: ServerAddress
    /// The SQLite database.
    public var databasePath: String
    /// Mirrors and workspaces.
    public var dataDirectory: String
    /// In-process workers: the runs this process executes at once.
    public var workers: Int
    /// The step processes this process runs at once across its runs.
    public var processes: Int
    /// What the workers of this process are: a server's or a `devflow worker`'s.
    public var workerKind: WorkerKind = .server
    /// The labels its workers offer: the configured ones plus the system and architecture, sorted.
    public var workerLabels: [String]
    /// Webhook secrets by repository name.
    public var webhookSecrets: [String: String]
    /// Clone tokens by repository name.
    public var cloneTokens: [String: String]
    /// Commit-status tokens by repository name.
    public var statusTokens: [String: String]
    /// Notification webhook URLs, by the notification's position in the configuration.
    public var notificationURLs: [Int: String]
    /// The server's environment, for `step_env`.
    public var environment: [String: String]
    /// Seconds a claim lasts without a heartbeat.
    public var leaseSeconds: TimeInterval = 30
    /// Seconds between a worker's polls of the queue when nothing wakes it.
    public var pollSeconds: TimeInterval = 1
    /// How often a live log stream looks for new lines in the store.
    public var logPollSeconds: TimeInterval = 0.05
    /// Seconds without a line after which a live log stream sends `: ping`.
    public var ssePingSeconds: TimeInterval = 15
    /// Seconds running steps get to finish on SIGTERM before they are cancelled.
    public var shutdownGraceSeconds: TimeInterval = 30
    /// The `devflow` executable that runs built-in agents in a child process (nil: the running executable).
    public var agentExecutable: String?

    /// The runs one process may execute at once (`workers:`, `--workers`, `--slots`).
    public static var workerRange: ClosedRange<Int> { ServerConfiguration.workerRange }
    /// The step processes one process may run at once (`processes:`, `--processes`).
    public static var processRange: ClosedRange<Int> { ServerConfiguration.processRange }

    /// Creates settings directly (tests build them without a file).
    public init(
        configuration: ServerConfiguration, databasePath: String, dataDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.configuration = configuration
        guard let address = ServerAddress(configuration.listen) else {
            throw ServerSetupError("invalid listen address '\(configuration.listen)'; expected HOST:PORT")
        }
        self.address = address
        self.databasePath = databasePath
        self.dataDirectory = dataDirectory
        self.workers = configuration.workers
        processes = configuration.effectiveProcesses
        workerLabels = Array(Set(configuration.labels + WorkerLabel.implicit)).sorted()
        shutdownGraceSeconds = TimeInterval(configuration.shutdownGraceSeconds)
        leaseSeconds = TimeInterval(configuration.leaseSeconds)
        self.environment = environment
        var problems: [String] = []
        func resolve(_ source: ServerConfiguration.SecretSource?, _ what: String) -> String? {
            guard let source else { return nil }
            switch source {
            case .env(let name):
                guard let value = environment[name], !value.isEmpty else {
                    problems.append("\(what): environment variable \(name) is not set; export it before starting")
                    return nil
                }
                return value
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else {
                    problems.append("\(what): cannot read \(path); check that the file exists and is readable")
                    return nil
                }
                var text = String(decoding: data, as: UTF8.self)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                return text
            }
        }
        var webhook: [String: String] = [:]
        var clone: [String: String] = [:]
        var status: [String: String] = [:]
        for repository in configuration.repositories {
            webhook[repository.name] = resolve(repository.webhookSecret, "webhook_secret of \(repository.name)")
            clone[repository.name] = resolve(repository.cloneToken, "clone_token of \(repository.name)")
            status[repository.name] = resolve(repository.statusToken, "status_token of \(repository.name)")
            if let file = repository.secretsFile, !FileManager.default.isReadableFile(atPath: file) {
                problems.append("secrets_file of \(repository.name): cannot read \(file)")
            }
        }
        var urls: [Int: String] = [:]
        for (index, notification) in configuration.notifications.enumerated() {
            urls[index] = resolve(notification.url, "url of notification \(index + 1)")
        }
        guard problems.isEmpty else { throw ServerSetupError(problems.joined(separator: "\n")) }
        notificationURLs = urls
        webhookSecrets = webhook
        cloneTokens = clone
        statusTokens = status
    }

    /// Reads and checks `path`, applying the command line's overrides; every problem is thrown at once.
    public static func load(
        path: String, listen: String? = nil, db: String? = nil, data: String? = nil, workers: Int? = nil,
        processes: Int? = nil, labels: [String]? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServerSettings {
        let (configuration, diagnostics) = try check(path: path)
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw ServerSetupError(render(diagnostics, path: path))
        }
        var effective = configuration
        if let listen { effective.listen = listen }
        if let workers { effective.workers = workers }
        if let processes { effective.processes = processes }
        if let labels { effective.labels = labels }
        let dataDirectory = data ?? configuration.data
        let database = db ?? configuration.db ?? PathName.join(dataDirectory, "devflow.sqlite")
        return try ServerSettings(
            configuration: effective, databasePath: database, dataDirectory: dataDirectory, environment: environment)
    }

    /// Reads `path` and returns the configuration with its diagnostics (`devflow serve --check`).
    public static func check(path: String) throws -> (ServerConfiguration, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerSetupError("cannot read \(path); pass --config PATH or create devflow-server.yml")
        }
        let source = SourceFile(path: path, bytes: Array(data))
        return ServerConfigurationDecoder.decode(source)
    }

    /// The diagnostics as the compiler prints them.
    public static func render(_ diagnostics: [Diagnostic], path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let source = SourceFile(path: path, bytes: Array(data))
        let renderer = TextRenderer(sources: [path: source])
        return diagnostics.map { renderer.render($0) }.joined(separator: "\n")
    }
}

/// A server that cannot start, with what to do about it.
public struct ServerSetupError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
