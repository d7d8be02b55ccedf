import DevFlowGraph
import DevFlowStepIO
import DevFlowStore
import Foundation

/// Executes an `ExecutionGraph`: a bounded worker pool over the DAG, runtime `if:`, retries, circuit breakers,
/// up-to-date checks, outputs between steps, masking, cancellation and resume. Every attempt goes to the store.
public final class RunEngine: @unchecked Sendable {
    let request: RunRequest
    let store: any RunStore
    let executor: any StepExecutor
    let clock: any RunnerClock
    let jitter: any JitterSource
    let observer: (any RunObserver)?
    /// Cancels the whole run (Ctrl-C, SIGTERM, fail-fast).
    public let cancellation = Cancellation()
    /// Holds back new steps while the run is paused (set from the store at each heartbeat).
    public let pauseGate = PauseGate()
    let masker: SecretMasker
    let secrets: [String: String]
    let lock = NSLock()
    var status: [String: NodeStatus] = [:]
    var allowedFailure: Set<String> = []
    var outputs: [String: [String: String]] = [:]
    /// The variables finished nodes exported (`$DEVFLOW_ENV`), by node.
    var exported: [String: [String: String]] = [:]
    /// What each finished node passes on to the nodes that need it (its own variables and its ancestors').
    var passedOn: [String: [String: InheritedVariable]] = [:]
    var runId: Int64 = 0
    var referenced: [String: Set<String>] = [:]
    /// The run's private scratch directory (outputs files, agent contexts), removed when the run ends.
    var scratchDirectory = ""
    /// Node ids by step id (matrix legs).
    let legs: [String: [String]]
    /// Each node's needs and its position in the graph (topological order), by node id.
    let needs: [String: (needs: [String], position: Int)]

    /// Creates an engine.
    public init(
        request: RunRequest, store: any RunStore, executor: any StepExecutor, clock: any RunnerClock = SystemClock(),
        jitter: any JitterSource = SystemJitter(), observer: (any RunObserver)? = nil
    ) {
        self.request = request
        self.store = store
        self.executor = executor
        self.clock = clock
        self.jitter = jitter
        self.observer = observer
        var values: [String: String] = [:]
        for name in request.graph.secrets { if let value = request.environment[name] { values[name] = value } }
        secrets = values
        masker = SecretMasker(secrets: Array(values.values))
        var byStep: [String: [String]] = [:]
        for node in request.graph.nodes { byStep[node.step, default: []].append(node.id) }
        legs = byStep
        var byId: [String: (needs: [String], position: Int)] = [:]
        for (position, node) in request.graph.nodes.enumerated() { byId[node.id] = (node.needs, position) }
        needs = byId
    }

    /// Runs every step of this process on threads of its own, none inline on the concurrency pool: for a server,
    /// whose requests share that pool with runs whose steps may wait minutes.
    public static func keepStepsOffPool() { InlineSlots.shared.disable() }

    /// The nodes selected by `--step` (and everything they need), or all.
    func selectedNodes() -> [Node] {
        guard !request.steps.isEmpty else { return request.graph.nodes }
        var wanted = Set(
            request.graph.nodes.filter { request.steps.contains($0.step) || request.steps.contains($0.id) }.map(\.id))
        var changed = true
        while changed {
            changed = false
            for node in request.graph.nodes where wanted.contains(node.id) {
                for need in node.needs where !wanted.contains(need) {
                    wanted.insert(need)
                    changed = true
                }
            }
        }
        return request.graph.nodes.filter { wanted.contains($0.id) }
    }

    /// Runs the graph to the end (or cancellation) and returns the summary.
    public func run() async throws -> RunSummary {
        let nodes = selectedNodes()
        let started = clock.now()
        let record: RunRecord
        if let queued = request.queuedRun {
            guard let existing = try store.run(queued) else { throw RunnerError("no run \(queued) in the store") }
            record = existing
        } else {
            record = try startRecord(started: started)
        }
        runId = record.id ?? 0
        // Unique even for two stores in one process that both have a run 1 (a run's end removes its directory).
        scratchDirectory =
            PathName.join(
                FileManager.default.temporaryDirectory.path,
                "devflow-\(getpid())-\(runId)-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(atPath: scratchDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratchDirectory) }
        observer?.observe(.runStarted(run: runId, pipeline: request.graph.name, nodes: nodes.count))
        // A local run with a concurrency group waits for it here; a server run's worker was admitted before.
        if request.queuedRun == nil, let group = request.concurrencyGroup,
            case .cancelled = try await enterGroup(group)
        {
            observer?.observe(
                .runFinished(run: runId, status: .cancelled, seconds: clock.now().timeIntervalSince(started)))
            return RunSummary(runId: runId, status: .cancelled, nodes: [:])
        }
        try reuseResumedNodes(nodes)
        // Each beat brings a request to stop (a person, or a newer run of the concurrency group) and the pause state;
        // the first is read before any step starts, so a run paused while it was queued starts nothing.
        let apply: @Sendable (RunControl) -> Void = { [cancellation, pauseGate] control in
            pauseGate.set(paused: control.paused)
            if control.cancelRequested != nil { cancellation.cancel(graceful: true) }
        }
        let beat: @Sendable () -> Void = { [store, clock, runId] in
            guard let control = try? store.heartbeat(run: runId, at: clock.now()) else { return }
            apply(control)
        }
        beat()
        let wake = cancellation.onCancel { [pauseGate] _ in pauseGate.release() }
        defer { cancellation.remove(wake) }
        if let feed = request.controls {
            let following = feed.follow(run: runId, update: apply)
            await schedule(nodes)
            feed.unfollow(following)
        } else {
            // The heartbeat runs on a dispatch timer, not the concurrency pool, whose threads may be running steps.
            let heartbeat = DispatchSource.makeTimerSource(queue: .global())
            heartbeat.schedule(deadline: .now() + 1, repeating: 1)
            heartbeat.setEventHandler(handler: beat)
            heartbeat.resume()
            await schedule(nodes)
            heartbeat.cancel()
        }
        let finalStatus = overallStatus(nodes)
        try store.finishRun(run: runId, status: finalStatus, at: clock.now())
        observer?.observe(
            .runFinished(run: runId, status: finalStatus, seconds: clock.now().timeIntervalSince(started)))
        return RunSummary(runId: runId, status: finalStatus, nodes: snapshot().status)
    }

    /// Records a new run of the request's graph as `running`, with its pending nodes.
    func startRecord(started: Date) throws -> RunRecord {
        let eventJSON = String(
            decoding: (try? JSONEncoder().encode(EventRecord(request.event))) ?? Data("{}".utf8), as: UTF8.self)
        let canonical = request.graph.canonicalJSON()
        return try store.startRun(
            RunRecord(
                id: nil, pipeline: request.graph.name, file: request.file,
                graphHash: ExecutionGraph.hash(of: canonical),
                graphJSON: String(decoding: canonical, as: UTF8.self), event: eventJSON,
                gitCommit: request.gitCommit, gitBranch: request.event.branch, gitAuthorTime: request.gitAuthorTime,
                status: request.concurrencyGroup == nil ? .running : .queued,
                queuedAt: started,
                startedAt: request.concurrencyGroup == nil ? started : nil, finishedAt: nil, pid: getpid(),
                host: ProcessInfo.processInfo.hostName,
                heartbeatAt: started,
                resumedFrom: request.resume,
                workerId: request.concurrencyGroup == nil ? nil : StoreHost.localWorker,
                concurrencyGroup: request.concurrencyGroup, cancelInProgress: request.graph.cancelInProgress),
            nodes: selectedNodes().map(\.id))
    }

    /// Waits (polling the store twice a second) until the run's concurrency group admits it; Ctrl-C while waiting
    /// cancels the run.
    func enterGroup(_ group: String) async throws -> GroupAdmission {
        var announced: Int64?
        while true {
            if cancellation.isCancelled {
                try store.finishRun(run: runId, status: .cancelled, at: clock.now())
                let admission = GroupAdmission.cancelled("cancelled while it waited for concurrency group '\(group)'")
                observer?.observe(.group(run: runId, group: group, admission: admission))
                return admission
            }
            let admission = try store.enterGroup(
                run: runId, group: group, cancelInProgress: request.graph.cancelInProgress, now: clock.now())
            switch admission {
            case .admitted: return admission
            case .cancelled:
                observer?.observe(.group(run: runId, group: group, admission: admission))
                return admission
            case .busy(let other):
                if announced != other {
                    observer?.observe(.group(run: runId, group: group, admission: admission))
                    announced = other
                }
                try await Task.sleep(nanoseconds: 500_000_000)
            }
        }
    }

    func overallStatus(_ nodes: [Node]) -> RunStatus {
        let state = snapshot()
        if cancellation.isCancelled { return .cancelled }
        let failed = nodes.contains { state.status[$0.id] == .failed && !state.allowed.contains($0.id) }
        return failed ? .failed : .succeeded
    }

    /// The part of the run's state a node can see: its needs and the steps its expressions read. Copying only that
    /// keeps each scheduling step independent of the graph's size.
    func view(for node: Node) -> EngineState {
        let steps = referencedSteps(node)
        var ids = node.needs
        for step in steps { ids += legs[step] ?? [] }
        lock.lock()
        defer { lock.unlock() }
        var partStatus: [String: NodeStatus] = [:]
        var partOutputs: [String: [String: String]] = [:]
        var partAllowed = Set<String>()
        for id in ids {
            partStatus[id] = status[id]
            if let values = outputs[id] { partOutputs[id] = values }
            if allowedFailure.contains(id) { partAllowed.insert(id) }
        }
        return (partStatus, partAllowed, partOutputs)
    }

    /// The steps a node's expressions read, computed once per node.
    func referencedSteps(_ node: Node) -> Set<String> {
        lock.lock()
        if let known = referenced[node.id] {
            lock.unlock()
            return known
        }
        lock.unlock()
        let steps = Interpolation.referencedSteps(node)
        lock.lock()
        referenced[node.id] = steps
        lock.unlock()
        return steps
    }

    func snapshot() -> EngineState {
        lock.lock()
        defer { lock.unlock() }
        return (status, allowedFailure, outputs)
    }

    func set(
        _ node: String, status value: NodeStatus, outputs nodeOutputs: [String: String]? = nil,
        environment: [String: String] = [:], allowed: Bool = false
    ) {
        lock.lock()
        status[node] = value
        if let nodeOutputs { outputs[node] = nodeOutputs }
        if !environment.isEmpty { exported[node] = environment }
        if allowed { allowedFailure.insert(node) }
        lock.unlock()
    }

    /// With `--resume`, nodes that succeeded in the earlier run keep their result and outputs.
    func reuseResumedNodes(_ nodes: [Node]) throws {
        guard let previous = request.resume else { return }
        guard let old = try store.run(previous) else { throw RunnerError("no run \(previous) in the store") }
        guard old.graphHash == request.graph.contentHash else {
            throw RunnerError(
                "run \(previous) ran a different pipeline (graph \(old.graphHash.prefix(12)), now \(request.graph.contentHash.prefix(12))); resume needs the same graph"
            )
        }
        let oldNodes = Dictionary(
            try store.nodes(run: previous).map { ($0.nodeId, $0) }, uniquingKeysWith: { a, _ in a })
        let oldOutputs = try store.outputs(run: previous)
        let oldEnvironment = try store.exportedVariables(run: previous)
        let rerun = try rerunNodes()
        for node in nodes where !rerun.contains(node.id) {
            guard let old = oldNodes[node.id], old.status.passes else {
                continue
            }
            let values = oldOutputs[node.id] ?? [:]
            let variables = oldEnvironment[node.id] ?? [:]
            set(node.id, status: .reused, outputs: values, environment: variables)
            try store.finishNode(
                NodeRecord(
                    runId: runId, nodeId: node.id, status: .reused,
                    reason: "succeeded in run \(previous)",
                    attempts: 0,
                    startedAt: nil, finishedAt: clock.now(), fingerprint: old.fingerprint, allowedFailure: false,
                    summary: old.summary),
                outputs: values, environment: variables, attempt: nil)
            observer?.observe(
                .nodeFinished(node: node.id, status: .reused, reason: "succeeded in run \(previous)"))
        }
    }

    /// The nodes a rerun from a node runs again: the node (or every leg of the step) and all that need it.
    func rerunNodes() throws -> Set<String> {
        guard let start = request.rerunFrom else { return [] }
        var chosen = Set(request.graph.nodes.filter { $0.id == start || $0.step == start }.map(\.id))
        guard !chosen.isEmpty else {
            throw RunnerError("there is no step or node '\(start)' in pipeline '\(request.graph.name)' to rerun from")
        }
        // Graph order is topological: one pass adds every dependent.
        for node in request.graph.nodes where node.needs.contains(where: chosen.contains) { chosen.insert(node.id) }
        return chosen
    }

    /// The worker pool: start every ready node (up to `jobs` at once), decide conditions when needs finish.
    /// Each node keeps a count of unfinished needs, so scheduling is linear in nodes plus edges.
    func schedule(_ nodes: [Node]) async {
        var position: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { position[node.id] = index }
        var dependents = [[Int]](repeating: [], count: nodes.count)
        var remaining = [Int](repeating: 0, count: nodes.count)
        let initial = snapshot().status
        for (index, node) in nodes.enumerated() {
            for need in node.needs {
                guard let parent = position[need], initial[need].map({ !$0.isFinished }) ?? true else {
                    continue
                }
                dependents[parent].append(index)
                remaining[index] += 1
            }
        }
        // Ready nodes in graph order (by level, then id), kept sorted.
        var ready = nodes.indices.filter { remaining[$0] == 0 && initial[nodes[$0].id] == nil }
        var finishedCount = nodes.filter { initial[$0.id] != nil }.count
        func complete(_ index: Int) {
            finishedCount += 1
            for child in dependents[index] {
                remaining[child] -= 1
                if remaining[child] == 0 {
                    let at = ready.firstIndex { $0 > child } ?? ready.count
                    ready.insert(child, at: at)
                }
            }
        }
        if request.jobs == 1 {
            // One worker: run nodes in order on this task, with no task or thread hand-off per step.
            while !ready.isEmpty {
                await waitWhilePaused()
                let index = ready.removeFirst()
                let node = nodes[index]
                if let skip = skipReason(node, state: view(for: node)) {
                    finishWithoutRunning(node, status: cancellation.isCancelled ? .cancelled : .skipped, reason: skip)
                } else {
                    set(node.id, status: .running)
                    await execute(node)
                    if request.failFast, failedWithoutPermission() { cancellation.cancel(graceful: true) }
                }
                complete(index)
            }
            let state = snapshot().status
            for node in nodes where state[node.id] == nil || state[node.id] == .running {
                finishWithoutRunning(node, status: .skipped, reason: "needs did not finish")
            }
            return
        }
        await withTaskGroup(of: Int.self) { group in
            var running = 0
            while true {
                while running < request.jobs, !ready.isEmpty, !holdsBack() {
                    let index = ready.removeFirst()
                    let node = nodes[index]
                    if let skip = skipReason(node, state: view(for: node)) {
                        finishWithoutRunning(
                            node, status: cancellation.isCancelled ? .cancelled : .skipped, reason: skip)
                        complete(index)
                        continue
                    }
                    set(node.id, status: .running)
                    running += 1
                    group.addTask {
                        await self.execute(node)
                        return index
                    }
                }
                if running == 0 {
                    if !ready.isEmpty {
                        // Paused with nothing running: wait for the resume (or a cancel), then start again.
                        await waitWhilePaused()
                        continue
                    }
                    if finishedCount < nodes.count {
                        // Whatever is left waits on something that cannot finish (cycles never compile): skip it.
                        let state = snapshot().status
                        for node in nodes where state[node.id] == nil {
                            finishWithoutRunning(node, status: .skipped, reason: "needs did not finish")
                        }
                    }
                    break
                }
                guard let index = await group.next() else { break }
                running -= 1
                complete(index)
                if request.failFast, failedWithoutPermission() { cancellation.cancel(graceful: true) }
            }
        }
    }

    /// Waits while the run is paused and not cancelled.
    func waitWhilePaused() async {
        refreshPause()
        while pauseGate.isPaused, !cancellation.isCancelled { await pauseGate.wait() }
    }

    /// Whether the next step must wait: the run is paused and not cancelled.
    func holdsBack() -> Bool {
        refreshPause()
        return pauseGate.isPaused && !cancellation.isCancelled
    }

    /// A server run reads its pause from the store before each step it starts, so a step never starts after the
    /// API answered a pause; a local run learns of it at its next heartbeat (within a second).
    func refreshPause() {
        guard request.queuedRun != nil, let paused = try? store.isPaused(run: runId) else { return }
        pauseGate.set(paused: paused)
    }

    func failedWithoutPermission() -> Bool {
        let state = snapshot()
        return state.status.contains { $0.value == .failed && !state.allowed.contains($0.key) }
    }

    func finishWithoutRunning(_ node: Node, status value: NodeStatus, reason: String) {
        set(node.id, status: value)
        try? store.finishNode(
            NodeRecord(
                runId: runId, nodeId: node.id, status: value, reason: reason, attempts: 0, startedAt: nil,
                finishedAt: clock.now(),
                fingerprint: nil, allowedFailure: false),
            outputs: [:])
        observer?.observe(.nodeFinished(node: node.id, status: value, reason: reason))
    }

    /// Why a node whose needs have finished does not run, or nil when it runs.
    func skipReason(
        _ node: Node, state: EngineState
    ) -> String? {
        let needs = node.needs.map { (id: $0, status: state.status[$0] ?? .skipped) }
        let succeeded = needs.allSatisfy { $0.status.passes || state.allowed.contains($0.id) }
        let failed = needs.contains {
            ($0.status == .failed && !state.allowed.contains($0.id)) || $0.status == .cancelled
        }
        let cancelled = cancellation.isCancelled
        if let changed = request.event.changedPaths, !node.paths.isEmpty,
            !changed.contains(where: GlobList(node.paths).matches)
        {
            return "paths: no changed path matches \(node.paths.joined(separator: ", "))"
        }
        if node.condition == "success()", !cancelled, succeeded {
            return nil  // the default condition, decided without building contexts
        }
        guard case .success(let condition) = ExpressionParser.parse(node.condition) else {
            return "condition cannot be parsed"
        }
        let evaluator = ExpressionEvaluator(
            contexts: Interpolation.contexts(
                for: node, request: request, state: state, secrets: [:], runId: runId, attempt: 1),
            statusFunctions: ["success": succeeded && !cancelled, "failure": failed, "cancelled": cancelled])
        let value = evaluator.evaluate(condition) ?? .null
        if value.isTruthy { return nil }
        if cancelled { return "the run was cancelled" }
        if node.condition == "success()",
            let need = needs.first(where: {
                !$0.status.passes && !state.allowed.contains($0.id)
            })
        {
            return
                "needs '\(need.id)', which \(need.status == .skipped ? "was skipped" : need.status == .cancelled ? "was cancelled" : "failed")"
        }
        return "if: \(node.condition) is false"
    }
}

/// A runner failure with a message for people.
public struct RunnerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// The event as stored with the run.
struct EventRecord: Encodable {
    var kind: String
    var branch: String?
    var baseBranch: String?
    var tag: String?
    var changedPaths: [String]?
    var hook: String?
    var inputs: [String: JSONValue]

    init(_ event: PlanEvent) {
        kind = event.kind
        branch = event.branch
        baseBranch = event.baseBranch
        tag = event.tag
        changedPaths = event.changedPaths
        hook = event.hook
        inputs = event.inputs
    }
}

/// What the scheduler knows of a run, or of the part of it one node can see: each node's state, the nodes whose
/// failure is allowed, and the outputs of finished nodes.
typealias EngineState = (status: [String: NodeStatus], allowed: Set<String>, outputs: [String: [String: String]])
