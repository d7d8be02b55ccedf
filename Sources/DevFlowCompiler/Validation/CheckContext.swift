import DevFlowDiagnostics
import DevFlowSyntax

/// What every check reads: the source, the decoded pipeline, and derived facts computed once.
public final class CheckContext: Sendable {
    /// The source file.
    public let source: SourceFile
    /// The decoded pipeline.
    public let pipeline: PipelineDecl
    /// Step index by id (first definition wins).
    public let stepIndex: [String: Int]
    /// For each step (by index), the indices of the steps it needs that exist.
    public let needIndices: [[Int]]
    /// For each step, a bitset of its ancestors through `needs` (transitively), ignoring cycles.
    let ancestorBits: [[UInt64]]

    /// Derives the facts.
    public init(source: SourceFile, pipeline: PipelineDecl) {
        self.source = source
        self.pipeline = pipeline
        var index: [String: Int] = [:]
        index.reserveCapacity(pipeline.steps.count)
        for (position, step) in pipeline.steps.enumerated() where index[step.id.value] == nil {
            index[step.id.value] = position
        }
        stepIndex = index
        let needs = pipeline.steps.enumerated().map { position, step in
            step.needs.compactMap { index[$0.value] }.filter { $0 != position }
        }
        needIndices = needs
        ancestorBits = Self.ancestors(needs: needs)
    }

    /// True when `ancestor` is reachable from `step` through `needs`.
    public func isAncestor(_ ancestor: String, of step: String) -> Bool {
        guard let a = stepIndex[ancestor], let s = stepIndex[step] else { return false }
        return ancestorBits[s][a >> 6] & (1 << UInt64(a & 63)) != 0
    }

    /// The step named `id`.
    public func step(_ id: String) -> StepDecl? { stepIndex[id].map { pipeline.steps[$0] } }

    private static func ancestors(needs: [[Int]]) -> [[UInt64]] {
        let count = needs.count
        let words = (count + 63) / 64
        var bits = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: count)
        // Iterative DFS post-order; a node on the stack (a cycle) contributes what is known so far.
        var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on stack, 2 done
        for root in 0..<count where state[root] == 0 {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = stack.last {
                let edges = needs[top.node]
                if top.next < edges.count {
                    stack[stack.count - 1].next += 1
                    let parent = edges[top.next]
                    if state[parent] == 0 {
                        state[parent] = 1
                        stack.append((parent, 0))
                    }
                } else {
                    var mine = bits[top.node]
                    for parent in edges {
                        mine[parent >> 6] |= 1 << UInt64(parent & 63)
                        if parent != top.node {
                            for word in 0..<words { mine[word] |= bits[parent][word] }
                        }
                    }
                    bits[top.node] = mine
                    state[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return bits
    }
}

/// A semantic check over a decoded pipeline; each conforming type lives in its own file with its rules.
protocol PipelineCheck {
    /// The rules it reports.
    static var rules: [RuleDescriptor] { get }
    /// Appends its findings.
    static func check(_ context: CheckContext, into diagnostics: inout [Diagnostic])
}
