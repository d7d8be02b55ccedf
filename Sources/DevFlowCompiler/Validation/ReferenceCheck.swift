import DevFlowDiagnostics

/// Agent, retry-policy and circuit-breaker names must refer to something defined; definitions must be unique.
enum ReferenceCheck: PipelineCheck {
    static let rules = [UnknownReferenceRule.descriptor]

    static func check(_ context: CheckContext, into diagnostics: inout [Diagnostic]) {
        let pipeline = context.pipeline
        let agents = pipeline.agents.map(\.id.value)
        let policies = ["none"] + pipeline.retryPolicies.compactMap { $0.name?.value }
        let breakers = pipeline.breakers.map(\.name.value)

        func resolve(_ name: Located<String>, among defined: [String], kind: String, extra: [String] = [], hint: String)
        {
            guard !defined.contains(name.value), !extra.contains(name.value) else { return }
            let candidates = Suggestions.closest(to: name.value, among: defined + extra)
            let fixIts = Suggestions.fixIts(replacing: name.span, candidates: candidates)
            let known =
                (defined + extra).isEmpty
                ? "; \(hint)"
                : candidates.isEmpty
                    ? "; defined: \(Suggestions.list(defined + extra))" : Suggestions.didYouMean(candidates)
            diagnostics.append(
                UnknownReferenceRule.descriptor.diagnostic(
                    "unknown \(kind) '\(name.value)'\(known)", at: name.span, fixIts: fixIts))
        }

        func resolveRetry(_ reference: RetryReference?) {
            if case .named(let name) = reference {
                resolve(name, among: policies, kind: "retry policy", hint: "define it under 'policies.retry'")
            }
        }

        resolveRetry(pipeline.defaults.retry)
        for agent in pipeline.agents {
            if let breaker = agent.circuitBreaker {
                resolve(
                    breaker, among: breakers, kind: "circuit breaker",
                    hint: "define it under 'policies.circuit_breakers'")
            }
        }
        for step in pipeline.steps {
            if let agent = step.agent {
                resolve(
                    agent, among: agents, kind: "agent", extra: PipelineDecoder.builtInAgents,
                    hint: "define it under 'agents'")
            }
            resolveRetry(step.retry)
            if let breaker = step.circuitBreaker {
                resolve(
                    breaker, among: breakers, kind: "circuit breaker",
                    hint: "define it under 'policies.circuit_breakers'")
            }
        }
    }
}
