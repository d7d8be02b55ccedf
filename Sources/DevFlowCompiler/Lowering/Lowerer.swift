import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// Lowers a checked pipeline to an `ExecutionGraph`: legs expanded, defaults and policies resolved, levels computed.
struct Lowerer {
    /// The timeout of a step that names none, and no default.
    static let defaultTimeoutMilliseconds = 60 * 60_000
    /// The shell of a hook step that names none.
    static let defaultShell = "bash -eo pipefail"

    let context: CheckContext
    let analysis: ExpressionAnalysis

    func lower() -> ExecutionGraph {
        let pipeline = context.pipeline
        let retryPolicies = Dictionary(
            pipeline.retryPolicies.compactMap { policy in policy.name.map { ($0.value, policy) } },
            uniquingKeysWith: { a, _ in a })
        let breakers = Dictionary(pipeline.breakers.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
        let agents = Dictionary(pipeline.agents.map { ($0.id.value, $0) }, uniquingKeysWith: { a, _ in a })
        let pipelineEnv = Dictionary(
            pipeline.env.map { ($0.name.value, $0.value.value) }, uniquingKeysWith: { a, _ in a })
        let defaultRetry = resolve(pipeline.defaults.retry, policies: retryPolicies) ?? .none

        // Expand legs first so needs can point at every leg of a matrix step.
        var legsByStep: [String: [(id: String, values: [String: String])]] = [:]
        for step in pipeline.steps {
            if let matrix = step.matrix {
                legsByStep[step.id.value] = MatrixExpansion.legs(of: matrix).combinations.map { values in
                    (MatrixExpansion.legName(step: step.id.value, values: values), values)
                }
            } else {
                legsByStep[step.id.value] = [(step.id.value, [:])]
            }
        }

        var nodes: [Node] = []
        var sourceMap: [String: SourceLocation] = [:]
        for step in pipeline.steps {
            let needs = step.needs.flatMap { legsByStep[$0.value]?.map(\.id) ?? [] }.sorted()
            var env = pipelineEnv
            for entry in step.env { env[entry.name.value] = entry.value.value }
            let action: NodeAction
            var breakerName = step.circuitBreaker?.value
            if let agentName = step.agent?.value {
                let agent = agents[agentName]
                if breakerName == nil { breakerName = agent?.circuitBreaker?.value }
                var with = Self.json(agent?.with).objectMembers
                for (key, value) in Self.json(step.with).objectMembers { with[key] = value }
                action = .agent(
                    agent: agentName, uses: agent == nil ? agentName : agent?.uses?.value,
                    command: agent?.command?.value, with: with)
            } else {
                action = .hook(
                    script: step.run?.value ?? "",
                    shell: step.shell?.value ?? pipeline.defaults.shell?.value ?? Self.defaultShell)
            }
            let condition = analysis.conditions[step.id.value]?.normalized ?? "success()"
            let retry = resolve(step.retry, policies: retryPolicies) ?? defaultRetry
            let breaker = breakerName.flatMap { breakers[$0] }.map(Self.breakerPolicy)
            let agentTimeout = step.agent.flatMap { agents[$0.value]?.timeout?.value }
            let timeout =
                step.timeout?.value ?? agentTimeout ?? pipeline.defaults.timeout?.value
                ?? Self.defaultTimeoutMilliseconds
            let location = SourceLocation(
                file: step.id.span.file, line: step.id.span.start.line, column: step.id.span.start.column,
                endLine: step.span.end.line, endColumn: step.span.end.column)
            for leg in legsByStep[step.id.value] ?? [] {
                nodes.append(
                    Node(
                        id: leg.id, step: step.id.value, name: step.name?.value,
                        matrix: leg.values.mapValues { .string($0) },
                        action: action, needs: needs, condition: condition, env: env,
                        workingDirectory: step.workingDirectory?.value ?? pipeline.defaults.workingDirectory?.value,
                        timeoutMilliseconds: timeout, retry: retry, circuitBreaker: breaker,
                        continueOnError: step.continueOnError,
                        inputs: step.inputs.map(\.value), outputs: step.outputs?.map(\.value) ?? [],
                        paths: step.paths.map(\.value),
                        deployment: step.deployment?.value, level: 0))
                sourceMap[leg.id] = location
            }
        }
        let (ordered, levels) = Self.levels(nodes)
        var graph = ExecutionGraph(
            name: pipeline.name?.value ?? "", triggers: triggers(), env: pipelineEnv,
            secrets: pipeline.secrets.map(\.value).sorted(),
            concurrencyGroup: pipeline.concurrency?.group?.value,
            cancelInProgress: pipeline.concurrency?.cancelInProgress ?? false,
            nodes: ordered, levels: levels, sourceMap: sourceMap)
        let labels = Array(Set(pipeline.runsOn.map(\.value))).sorted()
        graph.labels = labels.isEmpty ? nil : labels
        return graph
    }

    /// Assigns levels (longest path from a root) and orders nodes by level, then id.
    static func levels(_ nodes: [Node]) -> ([Node], [[String]]) {
        var index: [String: Int] = [:]
        for (position, node) in nodes.enumerated() { index[node.id] = position }
        var level = [Int](repeating: -1, count: nodes.count)
        func compute(_ start: Int) {
            var stack = [(start, false)]
            while let (position, expanded) = stack.popLast() {
                if level[position] >= 0 { continue }
                if expanded {
                    level[position] = nodes[position].needs.compactMap { index[$0] }.map { level[$0] + 1 }.max() ?? 0
                    continue
                }
                stack.append((position, true))
                for need in nodes[position].needs {
                    if let parent = index[need], level[parent] < 0 { stack.append((parent, false)) }
                }
            }
        }
        for position in nodes.indices { compute(position) }
        var result = nodes
        for position in result.indices { result[position].level = level[position] }
        result.sort { $0.level != $1.level ? $0.level < $1.level : $0.id < $1.id }
        var groups: [[String]] = []
        for node in result {
            while groups.count <= node.level { groups.append([]) }
            groups[node.level].append(node.id)
        }
        return (result, groups)
    }

    func resolve(_ reference: RetryReference?, policies: [String: RetryPolicyDecl]) -> RetryPolicy? {
        switch reference {
        case nil: return nil
        case .named(let name):
            if name.value == "none" { return RetryPolicy.none }
            return policies[name.value].map { Self.retryPolicy($0, name: name.value) }
        case .inline(let decl): return Self.retryPolicy(decl, name: nil)
        }
    }

    static func retryPolicy(_ decl: RetryPolicyDecl, name: String?) -> RetryPolicy {
        let standard = RetryPolicy.Backoff.standard
        let initial = decl.initial?.value ?? standard.initialMilliseconds
        return RetryPolicy(
            name: name, attempts: decl.attempts?.value ?? 1,
            backoff: RetryPolicy.Backoff(
                initialMilliseconds: initial, factor: decl.factor?.value ?? standard.factor,
                maximumMilliseconds: decl.maximum?.value ?? max(standard.maximumMilliseconds, initial),
                jitter: decl.jitter?.value ?? standard.jitter),
            retryOn: decl.retryOn.isEmpty ? ["failure", "timeout"] : decl.retryOn.map(\.value),
            deadlineMilliseconds: decl.deadline?.value)
    }

    static func breakerPolicy(_ decl: BreakerDecl) -> CircuitBreakerPolicy {
        let windowCalls = decl.windowDuration == nil ? (decl.windowCalls?.value ?? 20) : nil
        return CircuitBreakerPolicy(
            name: decl.name.value, failureRatePercent: decl.failureRate?.value ?? 50,
            minimumCalls: decl.minimumCalls?.value ?? min(10, windowCalls ?? 10),
            windowCalls: windowCalls, windowMilliseconds: decl.windowDuration?.value,
            openForMilliseconds: decl.openFor?.value ?? 60_000,
            halfOpenCalls: decl.halfOpenCalls?.value ?? 1, whenOpen: decl.whenOpen?.value ?? "fail")
    }

    func triggers() -> Triggers {
        guard let decl = context.pipeline.triggers else { return Triggers() }
        var triggers = Triggers()
        if let push = decl.push {
            triggers.push = Triggers.Push(
                branches: push.branches.map(\.value), branchesIgnore: push.branchesIgnore.map(\.value),
                tags: push.tags.map(\.value),
                paths: push.paths.map(\.value))
        }
        if let pullRequest = decl.pullRequest {
            triggers.pullRequest = Triggers.PullRequest(
                branches: pullRequest.branches.map(\.value), paths: pullRequest.paths.map(\.value),
                types: pullRequest.types.map(\.value))
        }
        triggers.schedule = decl.schedule.map(\.value)
        triggers.hooks = decl.hooks.map(\.value)
        if let manual = decl.manual {
            var inputs: [String: Triggers.ManualInput] = [:]
            for input in manual {
                let type = input.type?.value ?? "string"
                let defaultValue: JSONValue? = input.defaultValue.map { located in
                    switch type {
                    case "boolean":
                        return .bool(located.value == "true" || located.value == "True" || located.value == "TRUE")
                    case "number": return Double(located.value).map { .number($0) } ?? .string(located.value)
                    default: return .string(located.value)
                    }
                }
                inputs[input.id.value] = Triggers.ManualInput(
                    type: type, description: input.description, required: input.required, defaultValue: defaultValue,
                    options: input.options.map(\.value))
            }
            triggers.manual = inputs
        }
        return triggers
    }

    /// Types a free-form YAML tree the YAML 1.2 core way: plain true/false, numbers and null; quoted text is a string.
    static func json(_ node: YAMLNode?) -> JSONValue {
        guard let node else { return .object([:]) }
        switch node.content {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.value) }
            if scalar.isNull { return .null }
            switch scalar.value {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let number = Double(scalar.value), scalar.value.first.map({ $0.isNumber || $0 == "-" }) == true,
                !scalar.value.hasPrefix("0") || scalar.value == "0" || scalar.value.hasPrefix("0.")
            {
                return .number(number)
            }
            return .string(scalar.value)
        case .sequence(let items): return .array(items.map { json($0) })
        case .mapping(let pairs):
            var members: [String: JSONValue] = [:]
            for pair in pairs {
                if let key = pair.key.scalar?.value, members[key] == nil { members[key] = json(pair.value) }
            }
            return .object(members)
        }
    }
}
