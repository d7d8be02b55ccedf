/// What a node does when it runs.
public enum NodeAction: Hashable, Sendable, Codable {
    /// A hook step: a shell script.
    case hook(script: String, shell: String)
    /// An agent step: a built-in (`uses`) or an executable (`command`), with its merged `with:` inputs.
    case agent(agent: String, uses: String?, command: String?, with: [String: JSONValue])

    private enum CodingKeys: String, CodingKey { case type, script, shell, agent, uses, command, with }

    /// Decodes `{"type": "hook" | "agent", …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "hook":
            self = .hook(
                script: try container.decode(String.self, forKey: .script),
                shell: try container.decode(String.self, forKey: .shell))
        default:
            self = .agent(
                agent: try container.decode(String.self, forKey: .agent),
                uses: try container.decodeIfPresent(String.self, forKey: .uses),
                command: try container.decodeIfPresent(String.self, forKey: .command),
                with: try container.decode([String: JSONValue].self, forKey: .with))
        }
    }

    /// Encodes `{"type": "hook" | "agent", …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .hook(let script, let shell):
            try container.encode("hook", forKey: .type)
            try container.encode(script, forKey: .script)
            try container.encode(shell, forKey: .shell)
        case .agent(let agent, let uses, let command, let with):
            try container.encode("agent", forKey: .type)
            try container.encode(agent, forKey: .agent)
            try container.encodeIfPresent(uses, forKey: .uses)
            try container.encodeIfPresent(command, forKey: .command)
            try container.encode(with, forKey: .with)
        }
    }
}

/// One executable unit of the graph: a step, or one leg of a matrix step, with every default and policy resolved.
public struct Node: Hashable, Sendable, Codable {
    /// Unique id: the step id, or `step[dim=value,…]` for a matrix leg.
    public var id: String
    /// The step this node comes from.
    public var step: String
    /// Display name.
    public var name: String?
    /// The leg's matrix values (empty when not a matrix step).
    public var matrix: [String: JSONValue]
    /// What it runs.
    public var action: NodeAction
    /// Node ids this node waits for.
    public var needs: [String]
    /// The `if:` condition, normalised (`success()` by default).
    public var condition: String
    /// Environment, pipeline level merged under step level; values may hold `${{ }}`.
    public var env: [String: String]
    /// Working directory, relative to the workspace.
    public var workingDirectory: String?
    /// Per-attempt timeout in milliseconds.
    public var timeoutMilliseconds: Int
    /// The resolved retry policy.
    public var retry: RetryPolicy
    /// The resolved circuit breaker, if any.
    public var circuitBreaker: CircuitBreakerPolicy?
    /// Whether a failure still lets dependents run.
    public var continueOnError: Bool
    /// Globs fingerprinted for up-to-date checks.
    public var inputs: [String]
    /// Declared output names.
    public var outputs: [String]
    /// Path globs that must match a changed file for the node to run.
    public var paths: [String]
    /// Deployment environment, for DORA analytics.
    public var deployment: String?
    /// Topological level: 0 for nodes with no needs.
    public var level: Int

    /// Creates a node.
    public init(
        id: String, step: String, name: String?, matrix: [String: JSONValue], action: NodeAction, needs: [String],
        condition: String, env: [String: String], workingDirectory: String?, timeoutMilliseconds: Int,
        retry: RetryPolicy, circuitBreaker: CircuitBreakerPolicy?, continueOnError: Bool, inputs: [String],
        outputs: [String], paths: [String], deployment: String?, level: Int
    ) {
        self.id = id
        self.step = step
        self.name = name
        self.matrix = matrix
        self.action = action
        self.needs = needs
        self.condition = condition
        self.env = env
        self.workingDirectory = workingDirectory
        self.timeoutMilliseconds = timeoutMilliseconds
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.continueOnError = continueOnError
        self.inputs = inputs
        self.outputs = outputs
        self.paths = paths
        self.deployment = deployment
        self.level = level
    }
}

/// Where a node was defined, kept beside the graph (outside the hashed content).
public struct SourceLocation: Hashable, Sendable, Codable {
    /// File path.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// 1-based end line.
    public var endLine: Int
    /// 1-based end column.
    public var endColumn: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int, endLine: Int, endColumn: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
    }
}
