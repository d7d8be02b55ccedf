import DevFlowDiagnostics

/// `needs:` must form a directed acyclic graph.
enum CycleCheck: PipelineCheck {
    /// Steps need each other in a cycle.
    static let dependencyCycle = RuleDescriptor(
        code: "DF009", name: "dependency-cycle", severity: .error,
        summary: "steps need each other in a cycle",
        explanation: """
            `needs:` must form a DAG: a cycle means none of its steps can ever start. The diagnostic \
            names the whole path and labels each hop where it is written.

            ```yaml
            steps:
              a: {run: make a, needs: [b]}
              b: {run: make b, needs: [a]}    # DF009: a → b → a
            ```

            Break the cycle by removing one of the hops.
            """)

    static let rules = [dependencyCycle]

    static func check(_ context: CheckContext, into diagnostics: inout [Diagnostic]) {
        let steps = context.pipeline.steps
        let count = steps.count
        var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on path, 2 done
        var reported = Set<[Int]>()
        for root in 0..<count where state[root] == 0 {
            var path: [Int] = [root]
            var cursor: [Int] = [0]
            state[root] = 1
            while let node = path.last {
                let edges = context.needIndices[node]
                let next = cursor[cursor.count - 1]
                if next < edges.count {
                    cursor[cursor.count - 1] += 1
                    let parent = edges[next]
                    if state[parent] == 1, let start = path.firstIndex(of: parent) {
                        report(Array(path[start...]), context: context, reported: &reported, into: &diagnostics)
                    } else if state[parent] == 0 {
                        state[parent] = 1
                        path.append(parent)
                        cursor.append(0)
                    }
                } else {
                    state[node] = 2
                    path.removeLast()
                    cursor.removeLast()
                }
            }
        }
    }

    /// `cycle[i]` needs `cycle[i+1]`, and the last needs the first.
    private static func report(
        _ cycle: [Int], context: CheckContext, reported: inout Set<[Int]>, into diagnostics: inout [Diagnostic]
    ) {
        // Rotate so the cycle starts at its earliest-defined step, to report each cycle once.
        let first = cycle.indices.min { cycle[$0] < cycle[$1] }!
        let canonical = Array(cycle[first...] + cycle[..<first])
        guard reported.insert(canonical).inserted else { return }
        let steps = context.pipeline.steps
        var labels: [DiagnosticLabel] = []
        for (position, index) in canonical.enumerated() {
            let needed = canonical[(position + 1) % canonical.count]
            let neededID = steps[needed].id.value
            if let need = steps[index].needs.first(where: { $0.value == neededID }) {
                labels.append(DiagnosticLabel("'\(steps[index].id.value)' needs '\(neededID)'", at: need.span))
            }
        }
        let path = (canonical + [canonical[0]]).map { steps[$0].id.value }.joined(separator: " → ")
        let primary = labels.first?.span ?? steps[canonical[0]].id.span
        diagnostics.append(
            dependencyCycle.diagnostic(
                "steps form a dependency cycle: \(path)", at: primary, labels: labels,
                notes: ["none of these steps can start; remove one of the needs to break the cycle"]))
    }
}
