import DevFlowGraph
import DevFlowStore
import Foundation

/// What to run and how: the compiled graph, the event, and the runner's options.
public struct RunRequest: Sendable {
    /// The compiled pipeline.
    public var graph: ExecutionGraph
    /// The file it was compiled from.
    public var file: String
    /// The event (kind, branch, changed paths, inputs).
    public var event: PlanEvent
    /// The commit, when known.
    public var gitCommit: String?
    /// The commit's author time, when known (lead time for changes starts there).
    public var gitAuthorTime: Date?
    /// The workspace: where steps run and inputs are fingerprinted.
    public var workspace: String
    /// Worker pool size.
    public var jobs: Int
    /// Only these steps (and what they need); empty means all.
    public var steps: [String]
    /// A run whose successes are reused.
    public var resume: Int64?
    /// With `resume`: a node id or step id that runs again with every node that needs it (a rerun from a node).
    public var rerunFrom: String?
    /// Ignore up-to-date checks.
    public var force: Bool
    /// Stop everything at the first failure.
    public var failFast: Bool
    /// The runner's own environment (secrets are read from it).
    public var environment: [String: String]
    /// Seconds between TERM and KILL when a step is stopped.
    public var killGrace: Double
    /// A run already in the store (queued by the server, claimed and prepared by a worker) to execute, instead of
    /// recording a new one.
    public var queuedRun: Int64?
    /// Where the run learns stop requests and pauses once a second (a server's, shared by all its runs); nil: the
    /// engine's own heartbeat, a write per run per second that also tells `devflow run` a runner is alive.
    public var controls: (any RunControlFeed)?

    /// Creates a request.
    public init(
        graph: ExecutionGraph, file: String, event: PlanEvent, gitCommit: String? = nil, workspace: String, jobs: Int,
        steps: [String] = [], resume: Int64? = nil, force: Bool = false, failFast: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment, killGrace: Double = 5,
        queuedRun: Int64? = nil
    ) {
        self.queuedRun = queuedRun
        self.graph = graph
        self.file = file
        self.event = event
        self.gitCommit = gitCommit
        self.workspace = workspace
        self.jobs = max(1, jobs)
        self.steps = steps
        self.resume = resume
        self.force = force
        self.failFast = failFast
        self.environment = environment
        self.killGrace = killGrace
    }
}

/// Something the run reports while it happens: for the progress view and `--events json`.
public enum RunEvent: Sendable {
    /// The run started.
    case runStarted(run: Int64, pipeline: String, nodes: Int)
    /// The run's concurrency group keeps it waiting (`busy`) or cancelled it while it waited.
    case group(run: Int64, group: String, admission: GroupAdmission)
    /// A node started an attempt.
    case attemptStarted(node: String, attempt: Int)
    /// A line of output (masked).
    case line(node: String, stream: String, text: String)
    /// An attempt ended; `retryIn` when another follows.
    case attemptFinished(
        node: String, attempt: Int, outcome: String, exitCode: Int32?, signal: Int32?, seconds: Double,
        retryIn: Double?, reason: String?)
    /// A node reached its final state.
    case nodeFinished(node: String, status: NodeStatus, reason: String?)
    /// A breaker changed state.
    case breaker(name: String, from: String, to: String, reason: String)
    /// The run ended.
    case runFinished(run: Int64, status: RunStatus, seconds: Double)
}

/// Receives run events (called from several threads).
public protocol RunObserver: Sendable {
    /// Handles one event.
    func observe(_ event: RunEvent)
}

/// The result of a run.
public struct RunSummary: Sendable {
    /// The run's id in the store.
    public var runId: Int64
    /// `succeeded`, `failed` or `cancelled`.
    public var status: RunStatus
    /// Each node's final status.
    public var nodes: [String: NodeStatus]
}
