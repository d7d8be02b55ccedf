import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

extension PipelineDecoder {
    static let retryKeys = ["attempts", "backoff", "on", "deadline"]
    static let agentErrorKinds = ["rate_limited", "unavailable", "timeout", "malformed_response", "budget_exceeded"]
    static let signalNames = [
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM",
    ]

    mutating func decodePolicies(_ node: YAMLNode, into pipeline: inout PipelineDecl) {
        guard let entries = reader.mapping(node, what: "'policies'", known: ["retry", "circuit_breakers"]) else {
            return
        }
        for (key, value) in entries {
            guard let policies = reader.openMapping(value, what: "'policies.\(key.value)'") else { continue }
            for (name, policy) in policies {
                reader.checkID(name, kind: key.value == "retry" ? "retry policy" : "circuit breaker")
                if key.value == "retry" {
                    if name.value == "none" {
                        reader.report(
                            ConflictingKeysRule.descriptor, "retry policy 'none' is built in and cannot be redefined",
                            at: name.span)
                    }
                    if var decl = decodeRetryPolicy(policy, what: "retry policy '\(name.value)'", owner: name.span) {
                        decl.name = name
                        pipeline.retryPolicies.append(decl)
                    }
                } else if let breaker = decodeBreaker(policy, name: name) {
                    pipeline.breakers.append(breaker)
                }
            }
        }
    }

    mutating func decodeRetryReference(_ node: YAMLNode) -> RetryReference? {
        if let scalar = node.scalar, !scalar.isNull { return .named(Located(scalar.value, at: node.usageSpan)) }
        return decodeRetryPolicy(node, what: "the inline retry policy", owner: nil).map { .inline($0) }
    }

    mutating func decodeRetryPolicy(_ node: YAMLNode, what: String, owner: SourceSpan? = nil) -> RetryPolicyDecl? {
        guard let entries = reader.mapping(node, what: what, known: Self.retryKeys) else { return nil }
        var policy = RetryPolicyDecl(span: node.usageSpan)
        reader.require(["attempts"], in: entries, owner: owner ?? node.usageSpan, what: what)
        for (key, value) in entries {
            switch key.value {
            case "attempts":
                policy.attempts = reader.int(value, what: "'attempts'")
                if let attempts = policy.attempts, !(1...100).contains(attempts.value) {
                    var notes = ["attempts count the first try too: 1 means no retry"]
                    if attempts.value == 0 { notes.append("write 'attempts: 1' for a step that must not be retried") }
                    reader.report(
                        PolicyRangeRule.descriptor, "attempts must be between 1 and 100, found \(attempts.value)",
                        at: attempts.span, notes: notes)
                }
            case "deadline": policy.deadline = reader.duration(value, what: "'deadline'")
            case "on":
                policy.retryOn = reader.stringList(value, what: "'on'")
                for condition in policy.retryOn { checkRetryCondition(condition) }
            default:
                guard
                    let fields = reader.mapping(
                        value, what: "'backoff'", known: ["initial", "factor", "max", "jitter"])
                else { continue }
                for (field, fieldValue) in fields {
                    switch field.value {
                    case "initial": policy.initial = reader.duration(fieldValue, what: "'backoff.initial'")
                    case "max": policy.maximum = reader.duration(fieldValue, what: "'backoff.max'")
                    case "factor":
                        policy.factor = reader.number(fieldValue, what: "'backoff.factor'")
                        if let factor = policy.factor, !(1...10).contains(factor.value) {
                            reader.report(
                                PolicyRangeRule.descriptor,
                                "backoff factor must be between 1 and 10, found \(fieldValue.scalar?.value ?? "")",
                                at: factor.span)
                        }
                    default:
                        policy.jitter = reader.string(fieldValue, what: "'backoff.jitter'")
                        if let jitter = policy.jitter {
                            _ = reader.checkValue(jitter, accepted: ["full", "equal", "none"], what: "jitter")
                        }
                    }
                }
                if let initial = policy.initial, let maximum = policy.maximum, maximum.value < initial.value {
                    reader.report(
                        PolicyRangeRule.descriptor,
                        "backoff max '\(DurationSyntax.format(maximum.value))' is shorter than initial '\(DurationSyntax.format(initial.value))'",
                        at: maximum.span,
                        labels: [DiagnosticLabel("initial wait defined here", at: initial.span)])
                }
            }
        }
        return policy
    }

    mutating func checkRetryCondition(_ condition: Located<String>) {
        let text = condition.value
        if ["failure", "timeout"].contains(text) { return }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let kinds = ["failure", "timeout", "exit:N", "signal:NAME", "agent:KIND"]
        guard parts.count == 2 else {
            _ = reader.checkValue(condition, accepted: kinds, what: "retry condition")
            return
        }
        switch parts[0] {
        case "exit":
            guard let code = Int(parts[1]), (1...255).contains(code) else {
                reader.report(
                    PolicyRangeRule.descriptor, "exit code in '\(text)' must be a number from 1 to 255",
                    at: condition.span)
                return
            }
        case "signal":
            let name = parts[1].uppercased().hasPrefix("SIG") ? String(parts[1].dropFirst(3)) : parts[1]
            if let number = Int(name) {
                if !(1...64).contains(number) {
                    reader.report(
                        PolicyRangeRule.descriptor, "signal number in '\(text)' must be from 1 to 64",
                        at: condition.span)
                }
            } else if !Self.signalNames.contains(name.uppercased()) {
                let candidates = Suggestions.closest(to: name.uppercased(), among: Self.signalNames)
                reader.report(
                    InvalidValueRule.descriptor,
                    "unknown signal '\(parts[1])' in '\(text)'\(Suggestions.didYouMean(candidates))", at: condition.span
                )
            }
        case "agent":
            _ = reader.checkValue(
                Located(parts[1], at: condition.span), accepted: Self.agentErrorKinds, what: "agent error kind")
        default: _ = reader.checkValue(condition, accepted: kinds, what: "retry condition")
        }
    }

    mutating func decodeBreaker(_ node: YAMLNode, name: Located<String>) -> BreakerDecl? {
        let what = "circuit breaker '\(name.value)'"
        let known = ["failure_rate", "minimum_calls", "window", "open_for", "half_open_calls", "when_open"]
        guard let entries = reader.mapping(node, what: what, known: known) else { return nil }
        reader.require(["failure_rate", "open_for"], in: entries, owner: name.span, what: what)
        var breaker = BreakerDecl(name: name)
        for (key, value) in entries {
            switch key.value {
            case "failure_rate":
                guard let text = reader.string(value, what: "'failure_rate'") else { continue }
                let digits = text.value.hasSuffix("%") ? String(text.value.dropLast()) : ""
                guard let percent = Int(digits) else {
                    reader.wrongType(value, expected: "a percentage such as '50%'", what: "'failure_rate'")
                    continue
                }
                if !(1...100).contains(percent) {
                    reader.report(
                        PolicyRangeRule.descriptor, "failure rate must be between 1% and 100%, found \(text.value)",
                        at: text.span)
                }
                breaker.failureRate = Located(percent, at: text.span)
            case "minimum_calls": breaker.minimumCalls = positive(value, what: "'minimum_calls'")
            case "half_open_calls": breaker.halfOpenCalls = positive(value, what: "'half_open_calls'")
            case "open_for": breaker.openFor = reader.duration(value, what: "'open_for'")
            case "when_open":
                breaker.whenOpen = reader.string(value, what: "'when_open'")
                if let whenOpen = breaker.whenOpen {
                    _ = reader.checkValue(whenOpen, accepted: ["skip", "fail"], what: "'when_open'")
                }
            default:
                guard let fields = reader.mapping(value, what: "'window'", known: ["calls", "duration"]) else {
                    continue
                }
                if fields.count != 1 {
                    reader.report(
                        ConflictingKeysRule.descriptor, "'window' takes exactly one of 'calls' or 'duration'",
                        at: key.span)
                }
                for (field, fieldValue) in fields {
                    if field.value == "calls" {
                        breaker.windowCalls = positive(fieldValue, what: "'window.calls'")
                    } else {
                        breaker.windowDuration = reader.duration(fieldValue, what: "'window.duration'")
                    }
                }
            }
        }
        if let minimum = breaker.minimumCalls, let window = breaker.windowCalls, minimum.value > window.value {
            reader.report(
                PolicyRangeRule.descriptor,
                "minimum_calls \(minimum.value) exceeds the window of \(window.value) calls, so the breaker could never open",
                at: minimum.span,
                labels: [DiagnosticLabel("window defined here", at: window.span)])
        }
        return breaker
    }

    mutating func positive(_ node: YAMLNode, what: String) -> Located<Int>? {
        guard let value = reader.int(node, what: what) else { return nil }
        if value.value < 1 {
            reader.report(
                PolicyRangeRule.descriptor, "\(what) must be at least 1, found \(value.value)", at: value.span)
        }
        return value
    }

    mutating func decodeAgents(_ node: YAMLNode) -> [AgentDecl] {
        guard let entries = reader.openMapping(node, what: "'agents'") else { return [] }
        var agents: [AgentDecl] = []
        for (id, value) in entries {
            reader.checkID(id, kind: "agent")
            var agent = AgentDecl(id: id)
            guard
                let fields = reader.mapping(
                    value, what: "agent '\(id.value)'",
                    known: ["uses", "command", "with", "circuit_breaker", "timeout"])
            else { continue }
            for (key, field) in fields {
                switch key.value {
                case "uses":
                    agent.uses = reader.string(field, what: "'uses'")
                    if let uses = agent.uses {
                        _ = reader.checkValue(uses, accepted: Self.builtInAgents, what: "built-in agent")
                    }
                case "command": agent.command = reader.string(field, what: "'command'")
                case "with":
                    agent.with = field
                    collectWithSites(field, site: .agentWith(agent: id.value))
                case "circuit_breaker": agent.circuitBreaker = reader.string(field, what: "'circuit_breaker'")
                default: agent.timeout = reader.duration(field, what: "'timeout'")
                }
            }
            if agent.uses != nil && agent.command != nil {
                reader.report(
                    ConflictingKeysRule.descriptor,
                    "agent '\(id.value)' has both 'uses' and 'command'; give exactly one", at: id.span)
            } else if agent.uses == nil && agent.command == nil && fields.count == value.pairs?.count ?? 0 {
                reader.report(
                    ConflictingKeysRule.descriptor,
                    "agent '\(id.value)' needs 'uses' (a built-in agent) or 'command' (an executable)", at: id.span)
            }
            agents.append(agent)
        }
        return agents
    }

    /// Records every string inside a `with:` tree as an expression site.
    mutating func collectWithSites(_ node: YAMLNode, site: SiteKind) {
        switch node.content {
        case .scalar(let scalar):
            if Template.mayContainExpression(scalar.value) {
                reader.sites.append(ExpressionSite(kind: site, node: node, key: "with"))
            }
        case .sequence(let items): items.forEach { collectWithSites($0, site: site) }
        case .mapping(let pairs): pairs.forEach { collectWithSites($0.value, site: site) }
        }
    }
}
