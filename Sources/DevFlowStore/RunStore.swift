import Foundation

/// What a runner records, at the level of intent. SQLite is the embedded backend; a PostgreSQL backend implements
/// the same protocol without the runner changing.
public protocol RunStore: Sendable {
    /// Records a new run as `running` and returns it with its id.
    func startRun(_ run: RunRecord, nodes: [String]) throws -> RunRecord
    /// Refreshes the run's heartbeat (a run whose process died stops beating); returns whether it should stop (and
    /// why) and whether it is paused.
    @discardableResult
    func heartbeat(run: Int64, at date: Date) throws -> RunControl
    /// The control state (stop request, pause) of each of `runs` that exists, read together without writing: a
    /// server's runs learn it this way once a second, their liveness being their lease.
    func controls(runs: [Int64]) throws -> [Int64: RunControl]
    /// Whether the run is paused (read before a server run starts each step).
    func isPaused(run: Int64) throws -> Bool
    /// Admits a local run to its concurrency group (see `RunQueue.enterGroup`).
    func enterGroup(run: Int64, group: String, cancelInProgress: Bool, now: Date) throws -> GroupAdmission
    /// Marks a pending node `running` from `at` (its first attempt starting), so that watchers see it run.
    func startNode(run: Int64, node: String, at date: Date) throws
    /// Records one attempt.
    func recordAttempt(_ attempt: AttemptRecord) throws
    /// Appends log lines of one attempt.
    func appendLog(run: Int64, node: String, attempt: Int, stream: String, lines: [String]) throws
    /// Records an attempt's findings.
    func recordFindings(_ findings: [FindingRecord]) throws
    /// The findings of a run, by node and position.
    func findings(run: Int64) throws -> [FindingRecord]
    /// Records a node's final state, its outputs, the variables it exports to the nodes that need it
    /// (`$DEVFLOW_ENV`) and fingerprint, and its last attempt if given, in one transaction.
    func finishNode(
        _ node: NodeRecord, outputs: [String: String], environment: [String: String], attempt: AttemptRecord?
    ) throws
    /// Records the run's final state.
    func finishRun(run: Int64, status: RunStatus, at date: Date) throws
    /// Marks runs left `running` by processes that are gone as `interrupted`; returns their ids.
    func markInterruptedRuns(staleAfter: TimeInterval, now: Date, isAlive: (Int32, String) -> Bool) throws -> [Int64]

    /// Recent runs, newest first.
    func runs(limit: Int) throws -> [RunRecord]
    /// One run.
    func run(_ id: Int64) throws -> RunRecord?
    /// The nodes of a run.
    func nodes(run: Int64) throws -> [NodeRecord]
    /// The attempts of a run, in order.
    func attempts(run: Int64) throws -> [AttemptRecord]
    /// Log chunks of a run (optionally one node), in order.
    func logs(run: Int64, node: String?) throws -> [LogChunkRecord]
    /// Outputs of a run by node.
    func outputs(run: Int64) throws -> [String: [String: String]]
    /// The variables each node of a run exports to the nodes that need it (`$DEVFLOW_ENV`), by node.
    func exportedVariables(run: Int64) throws -> [String: [String: String]]
    /// The fingerprint and run of the node's last success in this pipeline, for up-to-date checks.
    func lastSuccess(pipeline: String, node: String) throws -> (fingerprint: String, runId: Int64)?

    /// Reads and changes a breaker atomically (an immediate transaction, so processes sharing the database agree).
    /// `body` gets the current record (a closed one if new) and returns the transition to record, if any.
    func updateBreaker(
        _ name: String, now: Date, runId: Int64?,
        _ body: (inout BreakerRecord) throws -> (from: String, to: String, reason: String)?
    ) throws -> BreakerRecord
    /// Every breaker.
    func breakers() throws -> [BreakerRecord]
    /// A breaker's transitions, oldest first.
    func transitions(breaker: String) throws -> [BreakerTransitionRecord]
}

extension RunStore {
    /// Records a node's final state and outputs, with no attempt (skipped, reused or up-to-date nodes).
    public func finishNode(_ node: NodeRecord, outputs: [String: String]) throws {
        try finishNode(node, outputs: outputs, environment: [:], attempt: nil)
    }

    /// Records a node's final state, outputs and last attempt, with no exported variables.
    public func finishNode(_ node: NodeRecord, outputs: [String: String], attempt: AttemptRecord?) throws {
        try finishNode(node, outputs: outputs, environment: [:], attempt: attempt)
    }
}
