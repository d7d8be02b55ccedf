/// The facts of an event a plan is made for.
public struct PlanEvent: Sendable, Hashable {
    /// `push`, `pull_request`, `schedule`, `manual` or `hook`.
    public var kind: String
    /// The branch pushed to, or a pull request's head branch.
    public var branch: String?
    /// A pull request's target branch.
    public var baseBranch: String?
    /// The tag pushed, if a tag push.
    public var tag: String?
    /// Changed paths; nil when unknown (then path filters do not skip anything).
    public var changedPaths: [String]?
    /// The git hook, for `hook` events.
    public var hook: String?
    /// Manual inputs given on the command line.
    public var inputs: [String: JSONValue]

    /// Creates an event.
    public init(
        kind: String, branch: String? = nil, baseBranch: String? = nil, tag: String? = nil,
        changedPaths: [String]? = nil,
        hook: String? = nil, inputs: [String: JSONValue] = [:]
    ) {
        self.kind = kind
        self.branch = branch
        self.baseBranch = baseBranch
        self.tag = tag
        self.changedPaths = changedPaths
        self.hook = hook
        self.inputs = inputs
    }
}

/// What the plan says about one node.
public struct PlanDecision: Sendable, Hashable, Codable {
    /// `run`, `skip`, or `runtime` (the condition depends on what happens at run time).
    public var verdict: String
    /// The node id.
    public var node: String
    /// The rule that decided, in words.
    public var reason: String
}

/// A dry run: whether the pipeline is triggered, and each node's decision in execution order.
public struct Plan: Sendable, Hashable, Codable {
    /// Whether the event triggers the pipeline at all.
    public var triggered: Bool
    /// Why (or why not).
    public var triggerReason: String
    /// Decisions in execution order.
    public var decisions: [PlanDecision]
}

/// Decides, without running anything, which nodes would run for an event and why.
public enum Planner {
    /// Plans `graph` for `event`.
    public static func plan(_ graph: ExecutionGraph, for event: PlanEvent) -> Plan {
        let (triggered, triggerReason) = matchTrigger(graph.triggers, event)
        guard triggered else {
            return Plan(
                triggered: false, triggerReason: triggerReason,
                decisions: graph.nodes.map {
                    PlanDecision(verdict: "skip", node: $0.id, reason: "pipeline not triggered")
                })
        }
        var verdicts: [String: String] = [:]
        var decisions: [PlanDecision] = []
        for node in graph.nodes {
            let decision = decide(node, graph: graph, event: event, verdicts: verdicts)
            verdicts[node.id] = decision.verdict
            decisions.append(decision)
        }
        return Plan(triggered: true, triggerReason: triggerReason, decisions: decisions)
    }

    static func decide(_ node: Node, graph: ExecutionGraph, event: PlanEvent, verdicts: [String: String])
        -> PlanDecision
    {
        guard case .success(let condition) = ExpressionParser.parse(node.condition) else {
            return PlanDecision(verdict: "skip", node: node.id, reason: "condition cannot be parsed")
        }
        let skippedNeeds = node.needs.filter { verdicts[$0] == "skip" }
        let uncertainNeeds = node.needs.filter { verdicts[$0] == "runtime" }
        var status: [String: Bool] = ["failure": false, "cancelled": false]
        if skippedNeeds.isEmpty && uncertainNeeds.isEmpty { status["success"] = true }
        if !skippedNeeds.isEmpty { status["success"] = false }
        var known = contexts(for: node, graph: graph, event: event)
        known["steps"] = .object(skippedSteps(graph: graph, verdicts: verdicts))
        let evaluator = ExpressionEvaluator(contexts: known, statusFunctions: status, missingIsUnknown: true)
        let value = evaluator.evaluate(condition)
        if let paths = event.changedPaths, !node.paths.isEmpty {
            let filter = GlobList(node.paths)
            if !paths.contains(where: filter.matches) {
                return PlanDecision(
                    verdict: "skip", node: node.id,
                    reason: "paths: no changed path matches \(node.paths.joined(separator: ", "))")
            }
        }
        switch value {
        case .some(let result) where !result.isTruthy:
            if let first = skippedNeeds.first, node.condition == "success()" {
                return PlanDecision(verdict: "skip", node: node.id, reason: "needs '\(first)', which is skipped")
            }
            return PlanDecision(verdict: "skip", node: node.id, reason: "if: \(node.condition) is false")
        case .some:
            let why =
                node.condition == "success()"
                ? (node.needs.isEmpty ? "no needs, default condition" : "needs run, default condition")
                : "if: \(node.condition) is true"
            return PlanDecision(verdict: "run", node: node.id, reason: why)
        case .none:
            return PlanDecision(verdict: "runtime", node: node.id, reason: "if: \(node.condition) depends on the run")
        }
    }

    /// `steps.<id>.outcome` and `.conclusion` are known to be `skipped` for steps whose every leg is skipped.
    static func skippedSteps(graph: ExecutionGraph, verdicts: [String: String]) -> [String: JSONValue] {
        var legs: [String: [String]] = [:]
        for node in graph.nodes { legs[node.step, default: []].append(node.id) }
        var result: [String: JSONValue] = [:]
        for (step, ids) in legs where ids.allSatisfy({ verdicts[$0] == "skip" }) {
            result[step] = .object(["outcome": .string("skipped"), "conclusion": .string("skipped")])
        }
        return result
    }

    static func contexts(for node: Node, graph: ExecutionGraph, event: PlanEvent) -> [String: JSONValue] {
        let git = event.gitContext
        var eventValue: [String: JSONValue] = ["kind": .string(event.kind)]
        if let hook = event.hook { eventValue["hook"] = .string(hook) }
        if event.kind == "pull_request" {
            var pullRequest: [String: JSONValue] = [:]
            if let branch = event.branch { pullRequest["head_branch"] = .string(branch) }
            if let base = event.baseBranch { pullRequest["base_branch"] = .string(base) }
            eventValue["pull_request"] = .object(pullRequest)
        }
        var inputs: [String: JSONValue] = [:]
        for (name, input) in graph.triggers.manual ?? [:] {
            inputs[name] = event.inputs[name] ?? input.defaultValue ?? .null
        }
        var env: [String: JSONValue] = [:]
        for (name, value) in node.env where !Template.mayContainExpression(value) { env[name] = .string(value) }
        return [
            "git": .object(git), "event": .object(eventValue), "inputs": .object(inputs),
            "matrix": .object(node.matrix), "env": .object(env),
        ]
    }

    /// Whether `event` triggers a pipeline with `triggers`, and why.
    public static func matchTrigger(_ triggers: Triggers, _ event: PlanEvent) -> (Bool, String) {
        let kinds = triggers.eventKinds
        guard kinds.contains(event.kind) else {
            return (false, "the pipeline does not run on '\(event.kind)'; it runs on \(kinds.joined(separator: ", "))")
        }
        switch event.kind {
        case "push":
            let push = triggers.push ?? Triggers.Push()
            if let tag = event.tag {
                if push.tags.isEmpty && !push.branches.isEmpty {
                    return (false, "tag '\(tag)' pushed; the push trigger filters branches only")
                }
                if !push.tags.isEmpty && !GlobList(push.tags).matches(tag) {
                    return (false, "tag '\(tag)' matches none of tags: \(push.tags.joined(separator: ", "))")
                }
            } else if let branch = event.branch {
                if GlobList(push.branchesIgnore).matches(branch) {
                    return (false, "branch '\(branch)' matches branches_ignore")
                }
                if push.branches.isEmpty && !push.tags.isEmpty {
                    return (false, "branch push; the push trigger filters tags only")
                }
                if !push.branches.isEmpty && !GlobList(push.branches).matches(branch) {
                    return (
                        false, "branch '\(branch)' matches none of branches: \(push.branches.joined(separator: ", "))"
                    )
                }
            }
            if let paths = event.changedPaths, !push.paths.isEmpty {
                let filter = GlobList(push.paths)
                if !paths.contains(where: filter.matches) {
                    return (false, "no changed path matches paths: \(push.paths.joined(separator: ", "))")
                }
            }
            return (true, "push" + (event.tag.map { " of tag '\($0)'" } ?? event.branch.map { " to '\($0)'" } ?? ""))
        case "pull_request":
            let pullRequest = triggers.pullRequest ?? Triggers.PullRequest()
            let target = event.baseBranch ?? event.branch
            if let target, !pullRequest.branches.isEmpty, !GlobList(pullRequest.branches).matches(target) {
                return (
                    false,
                    "target branch '\(target)' matches none of branches: \(pullRequest.branches.joined(separator: ", "))"
                )
            }
            if let paths = event.changedPaths, !pullRequest.paths.isEmpty {
                let filter = GlobList(pullRequest.paths)
                if !paths.contains(where: filter.matches) {
                    return (false, "no changed path matches paths: \(pullRequest.paths.joined(separator: ", "))")
                }
            }
            return (true, "pull request" + (target.map { " into '\($0)'" } ?? ""))
        case "hook":
            let hook = event.hook ?? triggers.hooks.first ?? ""
            guard triggers.hooks.contains(hook) else {
                return (false, "git hook '\(hook)' is not one of \(triggers.hooks.joined(separator: ", "))")
            }
            return (true, "git hook '\(hook)'")
        case "manual":
            for (name, input) in (triggers.manual ?? [:]).sorted(by: { $0.key < $1.key })
            where input.required && event.inputs[name] == nil && input.defaultValue == nil {
                return (false, "manual input '\(name)' is required")
            }
            return (true, "manual run")
        default:
            return (true, "schedule")
        }
    }
}

extension PlanEvent {
    /// The `git` context an event gives before anything runs: `branch`, `tag`, `ref` and `base_branch`.
    public var gitContext: [String: JSONValue] {
        var git: [String: JSONValue] = [:]
        if let branch {
            git["branch"] = .string(branch)
            git["ref"] = .string("refs/heads/\(branch)")
        }
        if let tag {
            git["tag"] = .string(tag)
            git["ref"] = .string("refs/tags/\(tag)")
        }
        if let baseBranch { git["base_branch"] = .string(baseBranch) }
        return git
    }
}
