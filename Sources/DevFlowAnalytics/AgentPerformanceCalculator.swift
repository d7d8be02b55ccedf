import DevFlowGraph
import DevFlowStore
import Foundation

/// The seed design's `monitorAgentPerformance`: per agent, its calls, their durations and outcomes, its findings,
/// its breakers' trips and, for `llm`, the tokens it spent against its budgets.
struct AgentPerformanceCalculator {
    let history: Insights.History

    private struct AgentNode {
        var agent: String
        var uses: String?
        var breaker: String?
        var budgetPerStep: Int?
        var budgetPerRun: Int?
    }

    func agents() -> [AgentPerformance] {
        // Which node runs which agent, per graph (a node id can run another agent in another configuration).
        var nodeAgents: [String: [String: AgentNode]] = [:]
        for (hash, graph) in history.graphs {
            for node in graph.nodes {
                guard case .agent(let agent, let uses, _, let with) = node.action else { continue }
                nodeAgents[hash, default: [:]][node.id] = AgentNode(
                    agent: agent, uses: uses, breaker: node.circuitBreaker?.name,
                    budgetPerStep: Self.integer(with["max_tokens_per_step"]),
                    budgetPerRun: Self.integer(with["max_tokens_per_run"]))
            }
        }
        let graphOfRun = Dictionary(history.runs.map { ($0.id, $0.graphHash) }, uniquingKeysWith: { first, _ in first })
        func agentNode(run: Int64, node: String) -> AgentNode? {
            graphOfRun[run].flatMap { nodeAgents[$0]?[node] }
        }

        struct Tally {
            var uses: String?
            var nodes = Set<String>()
            var breakers = Set<String>()
            var durations: [Double] = []
            var outcomes: [String: Int] = [:]
            var errors: [String: Int] = [:]
            var findings: [String: Int] = [:]
            var tokens: [Int] = []
            var budgetPerStep: Int?
            var budgetPerRun: Int?
        }
        var tallies: [String: Tally] = [:]
        for attempt in history.attempts {
            guard let node = agentNode(run: attempt.runId, node: attempt.nodeId) else { continue }
            var tally = tallies[node.agent, default: Tally()]
            tally.uses = node.uses
            tally.nodes.insert(attempt.nodeId)
            if let breaker = node.breaker { tally.breakers.insert(breaker) }
            tally.durations.append(Double(attempt.durationMs) / 1_000)
            tally.outcomes[attempt.status.rawValue, default: 0] += 1
            if attempt.status != .succeeded, let error = attempt.error, !error.isEmpty {
                tally.errors[Self.kind(of: error), default: 0] += 1
            }
            tally.budgetPerStep = node.budgetPerStep ?? tally.budgetPerStep
            tally.budgetPerRun = node.budgetPerRun ?? tally.budgetPerRun
            tallies[node.agent] = tally
        }
        for count in history.findings {
            guard let node = agentNode(run: count.runId, node: count.nodeId) else { continue }
            tallies[node.agent, default: Tally()].findings[count.severity, default: 0] += count.count
        }
        for output in history.tokens {
            guard let node = agentNode(run: output.runId, node: output.nodeId), node.uses == "llm",
                let tokens = Int(output.value)
            else { continue }
            tallies[node.agent, default: Tally()].tokens.append(tokens)
        }
        return tallies.map { agent, tally in
            let trips = history.transitions.filter { tally.breakers.contains($0.name) && $0.toState == "open" }.count
            var tokens: TokenUse?
            if tally.uses == "llm" {
                let sorted = tally.tokens.sorted()
                tokens = TokenUse(
                    spent: sorted.reduce(0, +),
                    perStepP50: sorted.isEmpty ? 0 : Int(Percentile.of(sorted: sorted.map(Double.init), 50)),
                    perStepMax: sorted.last ?? 0, budgetPerStep: tally.budgetPerStep, budgetPerRun: tally.budgetPerRun,
                    atBudget: tally.budgetPerStep.map { budget in sorted.filter { $0 >= budget }.count } ?? 0)
            }
            let errors = tally.errors.map { ErrorKind(message: $0.key, count: $0.value) }
                .sorted { ($1.count, $0.message) < ($0.count, $1.message) }
            return AgentPerformance(
                agent: agent, uses: tally.uses, nodes: tally.nodes.sorted(), calls: tally.durations.count,
                duration: DurationStats(tally.durations), outcomes: tally.outcomes, errors: Array(errors.prefix(5)),
                findings: tally.findings, breakerTrips: trips, tokens: tokens)
        }.sorted { $0.agent < $1.agent }
    }

    /// An error message's kind: its first line, digits folded, at most 100 characters.
    static func kind(of error: String) -> String {
        let line = error.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? error
        var folded = ""
        var lastWasDigit = false
        for character in line.prefix(100) {
            if character.isNumber {
                if !lastWasDigit { folded.append("N") }
                lastWasDigit = true
            } else {
                folded.append(character)
                lastWasDigit = false
            }
        }
        return folded
    }

    static func integer(_ value: JSONValue?) -> Int? {
        if case .number(let number)? = value, number >= 0, number < 1e15 { return Int(number) }
        if case .string(let text)? = value { return Int(text) }
        return nil
    }
}
