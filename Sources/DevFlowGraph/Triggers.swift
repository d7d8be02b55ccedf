/// The events a pipeline answers, with their filters.
public struct Triggers: Hashable, Sendable, Codable {
    /// Branch, tag and path filters of a push.
    public struct Push: Hashable, Sendable, Codable {
        /// Branch globs; empty means every branch (unless only tags are given).
        public var branches: [String]
        /// Branch globs that never trigger.
        public var branchesIgnore: [String]
        /// Tag globs.
        public var tags: [String]
        /// Path globs; `!` excludes. Empty means any change.
        public var paths: [String]

        /// Creates a push filter.
        public init(branches: [String] = [], branchesIgnore: [String] = [], tags: [String] = [], paths: [String] = []) {
            self.branches = branches
            self.branchesIgnore = branchesIgnore
            self.tags = tags
            self.paths = paths
        }
    }

    /// Filters of a pull request.
    public struct PullRequest: Hashable, Sendable, Codable {
        /// Target branch globs.
        public var branches: [String]
        /// Path globs; `!` excludes.
        public var paths: [String]
        /// Activity types; empty means opened, synchronize and reopened.
        public var types: [String]

        /// Creates a pull-request filter.
        public init(branches: [String] = [], paths: [String] = [], types: [String] = []) {
            self.branches = branches
            self.paths = paths
            self.types = types
        }
    }

    /// A typed input of a manual run.
    public struct ManualInput: Hashable, Sendable, Codable {
        /// `string`, `boolean`, `number` or `choice`.
        public var type: String
        /// Help text.
        public var description: String?
        /// Whether a value must be given.
        public var required: Bool
        /// The default value.
        public var defaultValue: JSONValue?
        /// The accepted values of a `choice`.
        public var options: [String]

        /// Creates an input.
        public init(type: String, description: String?, required: Bool, defaultValue: JSONValue?, options: [String]) {
            self.type = type
            self.description = description
            self.required = required
            self.defaultValue = defaultValue
            self.options = options
        }
    }

    /// Push filters, if the pipeline runs on push.
    public var push: Push?
    /// Pull-request filters, if it runs on pull requests.
    public var pullRequest: PullRequest?
    /// Cron expressions, if it runs on a schedule.
    public var schedule: [String]
    /// Git hooks it runs in.
    public var hooks: [String]
    /// Manual inputs, if it can be run by hand (an empty dictionary still enables manual runs).
    public var manual: [String: ManualInput]?

    /// Creates triggers.
    public init(
        push: Push? = nil, pullRequest: PullRequest? = nil, schedule: [String] = [], hooks: [String] = [],
        manual: [String: ManualInput]? = nil
    ) {
        self.push = push
        self.pullRequest = pullRequest
        self.schedule = schedule
        self.hooks = hooks
        self.manual = manual
    }

    /// The event kinds that trigger the pipeline.
    public var eventKinds: [String] {
        var kinds: [String] = []
        if push != nil { kinds.append("push") }
        if pullRequest != nil { kinds.append("pull_request") }
        if !schedule.isEmpty { kinds.append("schedule") }
        if manual != nil { kinds.append("manual") }
        if !hooks.isEmpty { kinds.append("hook") }
        return kinds
    }
}
