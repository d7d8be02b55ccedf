import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// Reads `devflow-server.yml` with the pipeline compiler's YAML front end and typed readers: unknown keys with
/// did-you-mean, wrong types, missing keys, closed sets, duplicate repositories, and secrets that must come from the
/// environment or a file. No secret value ever appears in a message.
public enum ServerConfigurationDecoder {
    /// The configuration and every diagnostic; the configuration is usable only when no diagnostic is an error.
    public static func decode(_ source: SourceFile) -> (configuration: ServerConfiguration, diagnostics: [Diagnostic]) {
        let document = YAMLParser.parse(source)
        var state = State(reader: NodeReader(file: source.path))
        if !document.hasSyntaxError, let root = document.root {
            state.read(root)
        } else if !document.hasSyntaxError {
            state.reader.report(
                MissingKeyRule.descriptor, "the server configuration is empty; it needs at least 'repositories'",
                at: .fileStart(source.path))
        }
        var seen = Set<Diagnostic>()
        let all = (document.diagnostics + state.reader.diagnostics).filter { seen.insert($0).inserted }
        return (state.configuration, Diagnostic.sortedForOutput(all))
    }

    static let topKeys = [
        "listen", "public_url", "data", "db", "workers", "processes", "labels", "lease", "max_body_bytes",
        "shutdown_grace",
        "repositories", "step_env", "step_path", "step_home", "notifications", "api",
    ]
    static let apiKeys = ["rate_limit", "burst", "anonymous_rate_limit", "anonymous_burst"]
    static let repositoryKeys = [
        "name", "forge", "clone_url", "default_branch", "pipeline", "webhook_secret", "clone_token", "status_api",
        "status_token", "secrets_file", "forks",
    ]

    struct State {
        var reader: NodeReader
        var configuration = ServerConfiguration()

        mutating func read(_ root: YAMLNode) {
            guard let entries = reader.mapping(root, what: "the server configuration", known: topKeys) else { return }
            for (key, value) in entries {
                switch key.value {
                case "listen":
                    if let text = reader.string(value, what: "'listen'") {
                        if ServerAddress(text.value) == nil {
                            reader.report(
                                InvalidValueRule.descriptor,
                                "invalid 'listen' '\(text.value)'; expected HOST:PORT such as 127.0.0.1:8080",
                                at: text.span)
                        } else {
                            configuration.listen = text.value
                        }
                    }
                case "public_url": configuration.publicURL = url(value, what: "'public_url'")
                case "data": configuration.data = reader.string(value, what: "'data'")?.value ?? configuration.data
                case "db": configuration.db = reader.string(value, what: "'db'")?.value
                case "workers":
                    if let count = reader.int(value, what: "'workers'") {
                        if ServerConfiguration.workerRange.contains(count.value) {
                            configuration.workers = count.value
                        } else {
                            reader.report(
                                PolicyRangeRule.descriptor,
                                "'workers' must be between 0 and \(ServerConfiguration.workerRange.upperBound) "
                                    + "(0: accept webhooks only), found \(count.value)",
                                at: count.span)
                        }
                    }
                case "processes":
                    if let count = reader.int(value, what: "'processes'") {
                        if ServerConfiguration.processRange.contains(count.value) {
                            configuration.processes = count.value
                        } else {
                            reader.report(
                                PolicyRangeRule.descriptor,
                                "'processes' must be between 1 and \(ServerConfiguration.processRange.upperBound), "
                                    + "found \(count.value)",
                                at: count.span)
                        }
                    }
                case "max_body_bytes":
                    if let count = reader.int(value, what: "'max_body_bytes'") {
                        if count.value >= 1024 {
                            configuration.maxBodyBytes = count.value
                        } else {
                            reader.report(
                                PolicyRangeRule.descriptor,
                                "'max_body_bytes' must be at least 1024, found \(count.value)", at: count.span)
                        }
                    }
                case "shutdown_grace":
                    if let seconds = reader.duration(value, what: "'shutdown_grace'") {
                        configuration.shutdownGraceSeconds = seconds.value / 1000
                    }
                case "lease":
                    if let duration = reader.duration(value, what: "'lease'") {
                        if (2000...3_600_000).contains(duration.value) {
                            configuration.leaseSeconds = duration.value / 1000
                        } else {
                            reader.report(
                                PolicyRangeRule.descriptor,
                                "'lease' must be between 2s and 1h (a worker renews it every third of it), found "
                                    + "\(duration.value / 1000)s",
                                at: duration.span)
                        }
                    }
                case "repositories": readRepositories(value)
                case "labels":
                    configuration.labels = reader.workerLabels(value, what: "'labels'").map(\.value).filter(
                        WorkerLabel.isValid)
                case "step_env": configuration.stepEnv = reader.stringList(value, what: "'step_env'").map(\.value)
                case "step_path":
                    configuration.stepPath = reader.string(value, what: "'step_path'")?.value ?? configuration.stepPath
                case "step_home": configuration.stepHome = reader.string(value, what: "'step_home'")?.value
                case "notifications": readNotifications(value)
                case "api": readAPI(value)
                default: break
                }
            }
            if !entries.contains(where: { $0.key.value == "repositories" }) {
                reader.require(["repositories"], in: entries, owner: root.span, what: "the server configuration")
            }
        }

        /// `api:`: rate limits per token and per address, whole requests per second and bucket sizes, at least 1.
        mutating func readAPI(_ node: YAMLNode) {
            guard let entries = reader.mapping(node, what: "'api'", known: apiKeys) else { return }
            for (key, value) in entries {
                guard let count = reader.int(value, what: "'\(key.value)'") else { continue }
                guard (1...1_000_000).contains(count.value) else {
                    reader.report(
                        PolicyRangeRule.descriptor,
                        "'\(key.value)' must be between 1 and 1000000, found \(count.value)",
                        at: count.span)
                    continue
                }
                switch key.value {
                case "rate_limit": configuration.api.rateLimit = Double(count.value)
                case "burst": configuration.api.burst = count.value
                case "anonymous_rate_limit": configuration.api.anonymousRateLimit = Double(count.value)
                case "anonymous_burst": configuration.api.anonymousBurst = count.value
                default: break
                }
            }
        }

        mutating func readRepositories(_ node: YAMLNode) {
            guard let items = node.items else {
                reader.wrongType(node, expected: "a list of repositories", what: "'repositories'")
                return
            }
            var firstSpan: [String: SourceSpan] = [:]
            for item in items {
                guard let entries = reader.mapping(item, what: "a repository", known: repositoryKeys) else { continue }
                reader.require(
                    ["name", "forge", "clone_url", "webhook_secret"], in: entries, owner: item.span,
                    what: "a repository")
                var name: Located<String>?
                var forge: ServerConfiguration.Forge?
                var cloneURL: String?
                var secret: ServerConfiguration.SecretSource?
                var rest: [(String, YAMLNode)] = []
                for (key, value) in entries {
                    switch key.value {
                    case "name": name = reader.string(value, what: "a repository's 'name'")
                    case "forge":
                        if let text = reader.string(value, what: "'forge'"),
                            reader.checkValue(
                                text, accepted: ServerConfiguration.Forge.allCases.map(\.rawValue), what: "forge")
                        {
                            forge = ServerConfiguration.Forge(rawValue: text.value)
                        }
                    case "clone_url": cloneURL = reader.string(value, what: "'clone_url'")?.value
                    case "webhook_secret": secret = secretSource(value, what: "'webhook_secret'")
                    default: rest.append((key.value, value))
                    }
                }
                if let name {
                    if name.value.split(separator: "/").count < 2 {
                        reader.report(
                            InvalidValueRule.descriptor,
                            "repository name '\(name.value)' must be the forge's full name, such as 'acme/app'",
                            at: name.span)
                    }
                    if let first = firstSpan[name.value] {
                        reader.report(
                            InvalidValueRule.descriptor, "repository '\(name.value)' is configured twice",
                            at: name.span, labels: [DiagnosticLabel("first configured here", at: first)])
                    } else {
                        firstSpan[name.value] = name.span
                    }
                }
                // The other keys are checked even when a required one is missing or wrong: every problem at once.
                var repository = ServerConfiguration.Repository(
                    name: name?.value ?? "", forge: forge ?? .github, cloneURL: cloneURL ?? "",
                    webhookSecret: secret ?? .env(""))
                for (key, value) in rest {
                    switch key {
                    case "default_branch":
                        repository.defaultBranch = reader.string(value, what: "'default_branch'")?.value ?? "main"
                    case "pipeline":
                        repository.pipeline = reader.string(value, what: "'pipeline'")?.value ?? ".devflow.yml"
                    case "clone_token": repository.cloneToken = secretSource(value, what: "'clone_token'")
                    case "status_api": repository.statusAPI = url(value, what: "'status_api'")
                    case "status_token": repository.statusToken = secretSource(value, what: "'status_token'")
                    case "secrets_file": repository.secretsFile = reader.string(value, what: "'secrets_file'")?.value
                    case "forks":
                        if let text = reader.string(value, what: "'forks'"),
                            reader.checkValue(
                                text, accepted: ServerConfiguration.ForkPolicy.allCases.map(\.rawValue),
                                what: "forks policy"),
                            let policy = ServerConfiguration.ForkPolicy(rawValue: text.value)
                        {
                            repository.forks = policy
                        }
                    default: break
                    }
                }
                guard let name, forge != nil, cloneURL != nil, secret != nil, firstSpan[name.value] == name.span else {
                    continue
                }
                configuration.repositories.append(repository)
            }
        }

        mutating func readNotifications(_ node: YAMLNode) {
            guard let items = node.items else {
                reader.wrongType(node, expected: "a list of notifications", what: "'notifications'")
                return
            }
            for item in items {
                guard let entries = reader.mapping(item, what: "a notification", known: ["kind", "url", "on"])
                else { continue }
                reader.require(["kind", "url"], in: entries, owner: item.span, what: "a notification")
                var kind: ServerConfiguration.NotificationKind?
                var url: ServerConfiguration.SecretSource?
                var on: [ServerConfiguration.NotificationTrigger] = [.failure, .recovery]
                for (key, value) in entries {
                    switch key.value {
                    case "kind":
                        if let text = reader.string(value, what: "a notification's 'kind'"),
                            reader.checkValue(
                                text, accepted: ServerConfiguration.NotificationKind.allCases.map(\.rawValue),
                                what: "notification kind")
                        {
                            kind = ServerConfiguration.NotificationKind(rawValue: text.value)
                        }
                    case "url": url = secretSource(value, what: "a notification's 'url'")
                    case "on":
                        on = reader.stringList(value, what: "a notification's 'on'").compactMap { text in
                            guard
                                reader.checkValue(
                                    text, accepted: ServerConfiguration.NotificationTrigger.allCases.map(\.rawValue),
                                    what: "notification trigger")
                            else { return nil }
                            return ServerConfiguration.NotificationTrigger(rawValue: text.value)
                        }
                    default: break
                    }
                }
                if let kind, let url { configuration.notifications.append(.init(kind: kind, url: url, on: on)) }
            }
        }

        /// `{env: NAME}` or `{file: PATH}`; a literal is refused without echoing it.
        mutating func secretSource(_ node: YAMLNode, what: String) -> ServerConfiguration.SecretSource? {
            if node.scalar != nil {
                reader.report(
                    InvalidValueRule.descriptor,
                    "\(what) must name where the secret is, {env: NAME} or {file: PATH}, never the secret itself",
                    at: node.usageSpan,
                    notes: ["a secret written in the configuration ends up in backups and version control"])
                return nil
            }
            guard let entries = reader.mapping(node, what: what, known: ["env", "file"]) else { return nil }
            guard entries.count == 1, let (key, value) = entries.first else {
                reader.report(
                    ConflictingKeysRule.descriptor, "\(what) takes exactly one of 'env' or 'file'", at: node.usageSpan)
                return nil
            }
            guard let text = reader.string(value, what: "\(what) '\(key.value)'") else { return nil }
            return key.value == "env" ? .env(text.value) : .file(text.value)
        }

        mutating func url(_ node: YAMLNode, what: String) -> String? {
            guard let text = reader.string(node, what: what) else { return nil }
            guard text.value.hasPrefix("http://") || text.value.hasPrefix("https://") else {
                reader.report(
                    InvalidValueRule.descriptor, "\(what) '\(text.value)' must be an http:// or https:// URL",
                    at: text.span)
                return nil
            }
            return text.value
        }
    }
}

/// `HOST:PORT` (`[::1]:8080` for IPv6).
public struct ServerAddress: Sendable, Equatable {
    /// The host.
    public var host: String
    /// The port.
    public var port: Int

    /// Parses `HOST:PORT`; nil when malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
