import DevFlowAgents
import DevFlowGraph
import DevFlowStepIO
import Foundation

/// Everything one attempt of a node needs to run, resolved by the scheduler.
public struct StepInvocation: Sendable {
    /// The node.
    public var node: Node
    /// 1-based attempt number.
    public var attempt: Int
    /// The run's id.
    public var runId: Int64
    /// The script (hook steps) with `${{ }}` already interpolated.
    public var script: String
    /// The process environment: the runner's own, then DevFlow's variables, then the node's env.
    public var environment: [String: String]
    /// The directory the step runs in.
    public var workingDirectory: String
    /// The per-attempt timeout, in seconds.
    public var timeout: Double
    /// The agent's `with:` inputs, interpolated.
    public var agentInputs: [String: JSONValue]
    /// The JSON context an agent gets on stdin.
    public var agentContext: Data
    /// Called for every output line (stdout or stderr).
    public var onLine: @Sendable (String, String) -> Void
    /// Lets the scheduler stop the attempt.
    public var cancellation: Cancellation
    /// A directory private to the run for the outputs file and an agent's context (removed when the run ends).
    public var scratchDirectory: String
    /// The running graph, with its source map (built-in agents anchor findings to steps with it).
    public var graph: ExecutionGraph? = nil
    /// Replaces the run's secrets with `***` in messages about the attempt (an outputs file's bad line).
    public var masker = SecretMasker(secrets: [])
    /// Finished runs of this pipeline from the store, newest first (for `performance-optimizer`).
    public var history: @Sendable () throws -> PipelineHistory = { PipelineHistory(runs: []) }
}

/// Runs one attempt of a node. Hook steps run a shell script; agent steps run an agent.
public protocol StepExecutor: Sendable {
    /// Runs the attempt and reports how it ended. Never throws: failures are outcomes.
    func execute(_ invocation: StepInvocation) async -> AttemptOutcome
}

/// A cancellation signal shared by the scheduler and the running attempts.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [Int: @Sendable (Bool) -> Void] = [:]
    private var nextKey = 0
    private var state: Bool?  // nil: not cancelled; true: graceful; false: immediate

    /// Creates a token.
    public init() {}

    /// Whether cancellation was requested.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return state != nil
    }

    /// Registers `handler(graceful)`; it is called at once if already cancelled. Returns a key for `remove`.
    @discardableResult
    public func onCancel(_ handler: @escaping @Sendable (Bool) -> Void) -> Int {
        lock.lock()
        let key = nextKey
        nextKey += 1
        let current = state
        if current == nil { handlers[key] = handler }
        lock.unlock()
        if let current { handler(current) }
        return key
    }

    /// Unregisters a handler.
    public func remove(_ key: Int) {
        lock.lock()
        handlers[key] = nil
        lock.unlock()
    }

    /// Requests cancellation: graceful (TERM, grace, KILL) or immediate (KILL).
    public func cancel(graceful: Bool) {
        lock.lock()
        if state == nil || !graceful { state = graceful }
        let current = Array(handlers.values)
        lock.unlock()
        for handler in current { handler(graceful) }
    }
}
