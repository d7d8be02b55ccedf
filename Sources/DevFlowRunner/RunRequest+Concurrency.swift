import DevFlowGraph

extension RunRequest {
    /// The pipeline's `concurrency.group` evaluated for this run's event (`ci-${{ git.ref }}` → `ci-refs/heads/main`);
    /// nil when the pipeline has no group. Only the contexts known before any step runs are available: `git`,
    /// `event` and `inputs`.
    public var concurrencyGroup: String? {
        guard let template = graph.concurrencyGroup, !template.isEmpty else { return nil }
        var git = event.gitContext
        if let commit = gitCommit { git["sha"] = .string(commit) }
        var inputs: [String: JSONValue] = [:]
        for (name, input) in graph.triggers.manual ?? [:] {
            inputs[name] = event.inputs[name] ?? input.defaultValue ?? .null
        }
        let contexts: [String: JSONValue] = [
            "git": .object(git), "event": .object(["kind": .string(event.kind)]), "inputs": .object(inputs),
            "env": .object(graph.env.mapValues { .string($0) }),
        ]
        return Interpolation.interpolate(template, contexts: contexts)
    }
}
