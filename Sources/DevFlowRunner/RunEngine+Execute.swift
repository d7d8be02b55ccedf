import DevFlowGraph
import DevFlowStepIO
import DevFlowStore
import Foundation

extension RunEngine {
    /// Runs one node to its final state: up-to-date check, breaker, attempts with retries, outputs, store records.
    func execute(_ node: Node) async {
        // Contexts are only built for nodes whose strings hold `${{ }}`.
        var contexts: [String: JSONValue] = [:]
        if Self.hasTemplates(node) {
            contexts = Interpolation.contexts(
                for: node, request: request, state: view(for: node), secrets: secrets, runId: runId, attempt: 1)
        }
        // What the nodes it needs exported (`$DEVFLOW_ENV`), under the node's own `env:`.
        var env = inheritedEnvironment(node)
        for (name, value) in node.env { env[name] = Interpolation.interpolate(value, contexts: contexts) }
        var envContext: [String: JSONValue] = [:]
        for (name, value) in env { envContext[name] = .string(value) }
        contexts["env"] = .object(envContext)
        let script: String
        var agentInputs: [String: JSONValue] = [:]
        switch node.action {
        case .hook(let text, _): script = Interpolation.interpolate(text, contexts: contexts)
        case .agent(_, _, _, let with):
            script = ""
            for (key, value) in with {
                if case .string(let text) = value {
                    agentInputs[key] = .string(Interpolation.interpolate(text, contexts: contexts))
                } else {
                    agentInputs[key] = value
                }
            }
        }
        // Up to date: same command, environment and input files as the last success.
        var fingerprint: String?
        if !node.inputs.isEmpty {
            fingerprint = InputFingerprint.compute(
                node: node, script: script, environment: env, workspace: request.workspace)
            if !request.force, let last = try? store.lastSuccess(pipeline: request.graph.name, node: node.id),
                last.fingerprint == fingerprint
            {
                let reused = (try? store.outputs(run: last.runId))?[node.id] ?? [:]
                let variables = (try? store.exportedVariables(run: last.runId))?[node.id] ?? [:]
                finish(
                    node, status: .upToDate, reason: "inputs unchanged since run \(last.runId)", attempts: 0,
                    fingerprint: fingerprint, outputs: reused, environment: variables)
                return
            }
        }
        let firstStart = clock.now()
        var attempt = 0
        while true {
            attempt += 1
            if cancellation.isCancelled {
                finish(node, status: .cancelled, reason: "the run was cancelled", attempts: attempt - 1)
                return
            }
            var probe = false
            if let policy = node.circuitBreaker {
                let (admission, openReason) = admit(policy)
                probe = admission.probe
                if !admission.allowed {
                    let now = clock.now()
                    try? store.recordAttempt(
                        AttemptRecord(
                            id: nil, runId: runId, nodeId: node.id, number: attempt, status: .breakerOpen,
                            exitCode: nil, signal: nil,
                            startedAt: now, finishedAt: now, durationMs: 0, retryReason: nil, error: openReason))
                    if policy.whenOpen == "skip" {
                        finish(
                            node, status: .skipped, reason: "circuit breaker '\(policy.name)' is open",
                            attempts: attempt)
                    } else {
                        finish(
                            node, status: .failed, reason: "circuit breaker '\(policy.name)' is open",
                            attempts: attempt, allowed: node.continueOnError)
                    }
                    return
                }
            }
            let (outcome, attemptStart) = await runAttempt(
                node, attempt: attempt, script: script, env: env, agentInputs: agentInputs)
            if let policy = node.circuitBreaker, outcome.kind != .cancelled {
                recordBreakerCall(policy, success: outcome.kind == .succeeded, probe: probe)
            }
            let elapsed = clock.now().timeIntervalSince(firstStart)
            let retry =
                outcome.kind == .succeeded || cancellation.isCancelled
                ? nil
                : RetryDecision.next(
                    after: outcome, attempt: attempt, elapsed: elapsed, policy: node.retry, jitter: jitter)
            let finishedAt = clock.now()
            let record =
                AttemptRecord(
                    id: nil, runId: runId, nodeId: node.id, number: attempt, status: outcome.kind,
                    exitCode: outcome.exitCode,
                    signal: outcome.signal, startedAt: attemptStart, finishedAt: finishedAt,
                    durationMs: Int(finishedAt.timeIntervalSince(attemptStart) * 1000),
                    retryReason: retry.map { "\($0.reason); retrying in \(String(format: "%.2f", $0.delay))s" },
                    error: outcome.message.map(masker.mask))
            if !outcome.findings.isEmpty {
                try? store.recordFindings(
                    outcome.findings.map {
                        FindingRecord($0, runId: runId, nodeId: node.id, attempt: attempt, mask: masker.mask)
                    })
            }
            // A retried attempt is recorded now; the last one goes in the same transaction as the node's end.
            if retry != nil { try? store.recordAttempt(record) }
            observer?.observe(
                .attemptFinished(
                    node: node.id, attempt: attempt, outcome: outcome.kind.rawValue, exitCode: outcome.exitCode,
                    signal: outcome.signal,
                    seconds: finishedAt.timeIntervalSince(attemptStart), retryIn: retry?.delay,
                    reason: retry?.reason ?? outcome.message.map(masker.mask)))
            if outcome.kind == .succeeded {
                finish(
                    node, status: .succeeded, reason: nil, attempts: attempt, fingerprint: fingerprint,
                    outputs: outcome.outputs.mapValues(masker.mask),
                    environment: outcome.environment.mapValues(masker.mask), summary: outcome.summary.map(masker.mask),
                    last: record, startedAt: firstStart)
                return
            }
            if outcome.kind == .cancelled || cancellation.isCancelled {
                finish(
                    node, status: .cancelled, reason: "the run was cancelled", attempts: attempt, last: record,
                    startedAt: firstStart)
                return
            }
            guard let retry else {
                let reason = masker.mask(describe(outcome))
                finish(
                    node, status: .failed, reason: reason, attempts: attempt,
                    outputs: outcome.outputs.mapValues(masker.mask),
                    environment: outcome.environment.mapValues(masker.mask), summary: outcome.summary.map(masker.mask),
                    allowed: node.continueOnError, last: record, startedAt: firstStart)
                return
            }
            try? await clock.sleep(seconds: retry.delay)
        }
    }

    /// True when any of the node's strings (script, env values, agent inputs) holds `${{`.
    static func hasTemplates(_ node: Node) -> Bool {
        if node.env.values.contains(where: Template.mayContainExpression) { return true }
        switch node.action {
        case .hook(let script, _): return Template.mayContainExpression(script)
        case .agent(_, _, _, let with):
            return with.values.contains {
                if case .string(let text) = $0 { Template.mayContainExpression(text) } else { false }
            }
        }
    }

    func describe(_ outcome: AttemptOutcome) -> String {
        switch outcome.kind {
        case .timedOut: return "timed out after \(outcome.message ?? "the step's timeout")"
        case .failed:
            if let signal = outcome.signal { return "killed by signal \(signal)" }
            if let code = outcome.exitCode { return "exited with \(code)" }
            return outcome.message ?? "failed"
        default: return outcome.message ?? outcome.kind.rawValue
        }
    }

    func runAttempt(_ node: Node, attempt: Int, script: String, env: [String: String], agentInputs: [String: JSONValue])
        async
        -> (AttemptOutcome, Date)
    {
        let start = clock.now()
        observer?.observe(.attemptStarted(node: node.id, attempt: attempt))
        if attempt == 1 { try? store.startNode(run: runId, node: node.id, at: start) }
        let logs = LogBuffer(
            store: store, runId: runId, node: node.id, attempt: attempt, masker: masker, observer: observer)
        // A quiet step's last lines reach the store (and whoever follows the log) within a second.
        let ticker = Task.detached { [logs] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                logs.flush(ifOlderThan: LogBuffer.maximumDelay)
            }
        }
        defer { ticker.cancel() }
        var environment = request.environment
        environment["DEVFLOW_RUN_ID"] = String(runId)
        environment["DEVFLOW_PIPELINE"] = request.graph.name
        environment["DEVFLOW_STEP"] = node.step
        environment["DEVFLOW_NODE"] = node.id
        environment["DEVFLOW_ATTEMPT"] = String(attempt)
        environment["DEVFLOW_EVENT"] = request.event.kind
        if let base = request.event.baseBranch { environment["DEVFLOW_GIT_BASE_BRANCH"] = base }
        if let hook = request.event.hook { environment["DEVFLOW_HOOK"] = hook }
        environment["DEVFLOW_WORKSPACE"] = request.workspace
        if let branch = request.event.branch { environment["DEVFLOW_GIT_BRANCH"] = branch }
        if let commit = request.gitCommit { environment["DEVFLOW_GIT_SHA"] = commit }
        for (name, value) in node.matrix { environment["DEVFLOW_MATRIX_\(name.uppercased())"] = value.interpolated }
        for (name, value) in env { environment[name] = value }
        let directory =
            node.workingDirectory.map { $0.hasPrefix("/") ? $0 : "\(request.workspace)/\($0)" } ?? request.workspace
        var context = Data()
        if case .agent = node.action {
            context = AgentContext.make(
                node: node, request: request, runId: runId, attempt: attempt, inputs: agentInputs)
        }
        var invocation = StepInvocation(
            node: node, attempt: attempt, runId: runId, script: script, environment: environment,
            workingDirectory: directory,
            timeout: Double(node.timeoutMilliseconds) / 1000, agentInputs: agentInputs, agentContext: context,
            onLine: { stream, line in logs.append(stream: stream, line: line) }, cancellation: cancellation,
            scratchDirectory: scratchDirectory)
        invocation.masker = masker
        if case .agent = node.action {
            invocation.graph = request.graph
            invocation.history = { [store, runId, name = request.graph.name] in
                try RunHistory.load(from: store, pipeline: name, excluding: runId)
            }
        }
        let outcome = Self.limitingOutputs(of: await executor.execute(invocation), node: node, masker: masker)
        logs.flush()
        return (outcome, start)
    }

    func finish(
        _ node: Node, status value: NodeStatus, reason: String?, attempts: Int, fingerprint: String? = nil,
        outputs nodeOutputs: [String: String] = [:], environment: [String: String] = [:], summary: String? = nil,
        allowed: Bool = false, last: AttemptRecord? = nil, startedAt: Date? = nil
    ) {
        set(
            node.id, status: value, outputs: nodeOutputs, environment: environment,
            allowed: allowed && value == .failed)
        try? store.finishNode(
            NodeRecord(
                runId: runId, nodeId: node.id, status: value, reason: reason, attempts: attempts,
                startedAt: startedAt,
                finishedAt: clock.now(),
                fingerprint: value == .succeeded || value == .upToDate ? fingerprint : nil,
                allowedFailure: allowed && value == .failed, summary: summary),
            outputs: nodeOutputs, environment: environment, attempt: last)
        observer?.observe(.nodeFinished(node: node.id, status: value, reason: reason))
    }

    func admit(_ policy: CircuitBreakerPolicy) -> (CircuitBreaker.Admission, String?) {
        var admission = CircuitBreaker.Admission(allowed: true, probe: false)
        var transition: CircuitBreaker.Transition?
        let record = try? store.updateBreaker(policy.name, now: clock.now(), runId: runId) { record in
            let result = CircuitBreaker.admit(&record, policy: policy, now: clock.now())
            admission = result.0
            transition = result.1
            return result.1
        }
        if let transition {
            observer?.observe(
                .breaker(name: policy.name, from: transition.from, to: transition.to, reason: transition.reason))
        }
        let why = record.map {
            $0.mode == "forced_open"
                ? "breaker '\(policy.name)' was forced open by an operator" : "breaker '\(policy.name)' is \($0.state)"
        }
        return (admission, why)
    }

    func recordBreakerCall(_ policy: CircuitBreakerPolicy, success: Bool, probe: Bool) {
        var transition: CircuitBreaker.Transition?
        _ = try? store.updateBreaker(policy.name, now: clock.now(), runId: runId) { record in
            transition = CircuitBreaker.record(
                &record, success: success, probe: probe, policy: policy, now: clock.now())
            return transition
        }
        if let transition {
            observer?.observe(
                .breaker(name: policy.name, from: transition.from, to: transition.to, reason: transition.reason))
        }
    }
}

/// Buffers an attempt's lines and writes them to the store in chunks, so memory stays bounded whatever a step prints.
final class LogBuffer: @unchecked Sendable {
    let store: any RunStore
    let runId: Int64
    let node: String
    let attempt: Int
    let masker: SecretMasker
    let observer: (any RunObserver)?
    let lock = NSLock()
    var lines: [String: [String]] = [:]
    var count = 0
    /// When the oldest line not yet in the store arrived.
    var oldest: Date?
    /// Serializes writes, so that chunks reach the store in the order their lines came.
    let writing = NSLock()
    /// Lines wait at most this long (or until 512 are pending) before they are written.
    static let maximumDelay: TimeInterval = 1

    init(
        store: any RunStore, runId: Int64, node: String, attempt: Int, masker: SecretMasker,
        observer: (any RunObserver)?
    ) {
        self.store = store
        self.runId = runId
        self.node = node
        self.attempt = attempt
        self.masker = masker
        self.observer = observer
    }

    func append(stream: String, line: String) {
        let masked = masker.mask(line)
        observer?.observe(.line(node: node, stream: stream, text: masked))
        let now = Date()
        lock.lock()
        lines[stream, default: []].append(masked)
        count += 1
        if oldest == nil { oldest = now }
        let due = count >= 512 || now.timeIntervalSince(oldest ?? now) >= Self.maximumDelay
        lock.unlock()
        if due { flush() }
    }

    /// Writes the pending lines if the oldest has waited `age` seconds.
    func flush(ifOlderThan age: TimeInterval) {
        lock.lock()
        let stale = oldest.map { Date().timeIntervalSince($0) >= age } ?? false
        lock.unlock()
        if stale { flush() }
    }

    func flush() {
        writing.lock()
        defer { writing.unlock() }
        lock.lock()
        let pending = lines
        lines = [:]
        count = 0
        oldest = nil
        lock.unlock()
        for (stream, chunk) in pending.sorted(by: { $0.key < $1.key }) {
            try? store.appendLog(run: runId, node: node, attempt: attempt, stream: stream, lines: chunk)
        }
    }
}
