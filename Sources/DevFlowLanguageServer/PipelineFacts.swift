import DevFlowCompiler
import DevFlowDiagnostics

/// The names a pipeline declares and where, taken from the compiler's decoded pipeline: what completion offers and
/// what definitions point at.
struct PipelineFacts: Sendable {
    /// A declared name and where it is written.
    struct Name: Sendable {
        var value: String
        var span: SourceSpan
    }

    /// A step's facts.
    struct Step: Sendable {
        var id: Name
        var span: SourceSpan
        var name: String?
        var run: String?
        var agent: String?
        var needs: [Name]
        var outputs: [Name]
        var env: [String]
        var matrix: [(dimension: String, values: [String])]
        var matrixExtraKeys: [String]
    }

    var steps: [Step] = []
    var agents: [(id: Name, uses: String?, command: String?)] = []
    var retryPolicies: [Name] = []
    var breakers: [Name] = []
    var secrets: [String] = []
    var inputs: [String] = []
    var env: [String] = []
    /// Every reference to a step, agent, policy or breaker: where it is written, and what it names.
    var references: [(span: SourceSpan, target: SourceSpan, kind: String, name: String)] = []

    init() {}

    /// The facts of a decoded pipeline.
    init(_ pipeline: PipelineDecl) {
        func name(_ located: Located<String>) -> Name { Name(value: located.value, span: located.span) }
        agents = pipeline.agents.map { (name($0.id), $0.uses?.value, $0.command?.value) }
        retryPolicies = pipeline.retryPolicies.compactMap { $0.name.map(name) }
        breakers = pipeline.breakers.map { name($0.name) }
        secrets = pipeline.secrets.map(\.value)
        inputs = pipeline.triggers?.manual?.map(\.id.value) ?? []
        env = pipeline.env.map(\.name.value)
        for step in pipeline.steps {
            var dimensions: [(String, [String])] = []
            var extra: [String] = []
            if let matrix = step.matrix {
                dimensions = matrix.dimensions.map { ($0.name.value, $0.values.map(\.value)) }
                for entry in matrix.include {
                    for (key, _) in entry where !dimensions.contains(where: { $0.0 == key.value }) {
                        if !extra.contains(key.value) { extra.append(key.value) }
                    }
                }
            }
            steps.append(
                Step(
                    id: name(step.id), span: step.span, name: step.name?.value, run: step.run?.value,
                    agent: step.agent?.value, needs: step.needs.map(name), outputs: step.outputs?.map(name) ?? [],
                    env: step.env.map(\.name.value), matrix: dimensions, matrixExtraKeys: extra))
        }
        let stepSpans = Dictionary(pipeline.steps.map { ($0.id.value, $0.id.span) }) { first, _ in first }
        let agentSpans = Dictionary(pipeline.agents.map { ($0.id.value, $0.id.span) }) { first, _ in first }
        let policySpans = Dictionary(retryPolicies.map { ($0.value, $0.span) }) { first, _ in first }
        let breakerSpans = Dictionary(breakers.map { ($0.value, $0.span) }) { first, _ in first }
        func refer(_ located: Located<String>?, _ table: [String: SourceSpan], _ kind: String) {
            guard let located, let target = table[located.value] else { return }
            references.append((located.span, target, kind, located.value))
        }
        func referRetry(_ reference: RetryReference?) {
            if case .named(let policy) = reference { refer(policy, policySpans, "retry policy") }
        }
        for step in pipeline.steps {
            for need in step.needs { refer(need, stepSpans, "step") }
            refer(step.agent, agentSpans, "agent")
            referRetry(step.retry)
            refer(step.circuitBreaker, breakerSpans, "circuit breaker")
        }
        for agent in pipeline.agents { refer(agent.circuitBreaker, breakerSpans, "circuit breaker") }
        referRetry(pipeline.defaults.retry)
    }

    func step(_ id: String) -> Step? { steps.first { $0.id.value == id } }

    /// The steps `id` depends on, directly or not (the only ones its expressions may read).
    func ancestors(of id: String) -> [String] {
        var seen: Set<String> = []
        var stack = step(id)?.needs.map(\.value) ?? []
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack += step(next)?.needs.map(\.value) ?? []
        }
        return steps.map(\.id.value).filter { seen.contains($0) }
    }
}
