import DevFlowGraph
import DevFlowStepIO

/// What steps publish beyond their exit status: outputs and exported variables checked against their limits
/// whatever executor produced them, and the variables a node inherits from the nodes it needs.
extension RunEngine {
    /// `outcome`, or a step error when its outputs break the rules of `$DEVFLOW_OUTPUT` (names, 1 MiB per value,
    /// 1 MiB per step) or its variables those of `$DEVFLOW_ENV`: an agent's answer, or any executor's outcome, is
    /// held to the same limits as a hook step's files, in the same words.
    static func limitingOutputs(of outcome: AttemptOutcome, node: Node, masker: SecretMasker) -> AttemptOutcome {
        guard outcome.kind == .succeeded || outcome.kind == .failed,
            !outcome.outputs.isEmpty || !outcome.environment.isEmpty
        else { return outcome }
        let source: String
        switch node.action {
        case .agent(let agent, _, _, _): source = "agent '\(agent)'"
        case .hook: source = "the step's"
        }
        let error =
            OutputsFile.check(outcome.outputs, kind: .outputs, source: "\(source) outputs")
            ?? OutputsFile.check(outcome.environment, kind: .environment, source: "\(source) environment")
        guard let error else { return outcome }
        var rejected = AttemptOutcome(
            kind: .error, exitCode: outcome.exitCode, signal: outcome.signal, message: error.message(masking: masker))
        rejected.findings = outcome.findings
        return rejected
    }

    /// The variables exported (`$DEVFLOW_ENV`) by the nodes `node` needs, directly or through others; where two set
    /// the same name, the one later in the graph's order (closer to `node` on a chain) wins. Every node `node` needs
    /// has finished, so what each passes on is computed once and kept: linear in the graph, not in its paths.
    func inheritedEnvironment(_ node: Node) -> [String: String] {
        lock.lock()
        defer { lock.unlock() }
        guard !exported.isEmpty, !node.needs.isEmpty else { return [:] }
        for need in node.needs { _ = passedOnLocked(need) }
        return mergedLocked(node.needs).mapValues(\.value)
    }

    /// What finished node `root` passes on to the nodes that need it: its ancestors' variables and its own, each
    /// with the graph position of the node that set it. Iterative (a chain of 10,000 nodes does not recurse).
    private func passedOnLocked(_ root: String) -> [String: InheritedVariable] {
        if let known = passedOn[root] { return known }
        var stack: [(id: String, expanded: Bool)] = [(root, false)]
        while let (id, expanded) = stack.popLast() {
            guard passedOn[id] == nil else { continue }
            guard let entry = needs[id] else {
                passedOn[id] = [:]
                continue
            }
            if !expanded {
                stack.append((id, true))
                for need in entry.needs where passedOn[need] == nil { stack.append((need, false)) }
                continue
            }
            var values = mergedLocked(entry.needs)
            for (name, value) in exported[id] ?? [:] {
                values[name] = InheritedVariable(value: value, position: entry.position)
            }
            passedOn[id] = values
        }
        return passedOn[root] ?? [:]
    }

    /// The variables `ids` pass on together; the one set latest in graph order wins.
    private func mergedLocked(_ ids: [String]) -> [String: InheritedVariable] {
        guard let first = ids.first else { return [:] }
        var result = passedOn[first] ?? [:]
        for id in ids.dropFirst() {
            for (name, candidate) in passedOn[id] ?? [:]
            where result[name].map({ $0.position < candidate.position }) ?? true {
                result[name] = candidate
            }
        }
        return result
    }
}

/// An exported variable on its way to the nodes that need its node, with the graph position of the node that set it.
struct InheritedVariable {
    var value: String
    var position: Int
}
