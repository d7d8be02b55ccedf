import Foundation
import Testing

@testable import DevFlowGraph

/// The canonical JSON of a large graph, encoded in slices on several cores, is byte for byte the single encoding.
@Suite struct CanonicalJSONTests {
    static func graph(nodes count: Int) -> ExecutionGraph {
        let retry = RetryPolicy(
            name: "transient", attempts: 3,
            backoff: .init(initialMilliseconds: 500, factor: 1.5, maximumMilliseconds: 10_000, jitter: "full"),
            retryOn: ["exit:75", "timeout"], deadlineMilliseconds: 60_000)
        let nodes = (0..<count).map { index in
            Node(
                id: "step-\(index)", step: "step-\(index)", name: index % 3 == 0 ? "Step \(index) \"quoted\" / ü" : nil,
                matrix: index % 5 == 0 ? ["os": .string("linux"), "n": .number(Double(index))] : [:],
                action: index % 7 == 0
                    ? .agent(
                        agent: "guardian", uses: "security-guardian", command: nil,
                        with: ["fail_on": .string("high"), "paths": .array([.string("a/b"), .null, .bool(true)])])
                    : .hook(script: "echo \"$X\" > out/\(index).txt\n", shell: "bash -eo pipefail"),
                needs: index == 0 ? [] : ["step-\(index - 1)"], condition: "success()",
                env: ["X": "\(index)", "PATH_EXTRA": "/usr/local/bin"], workingDirectory: index % 2 == 0 ? "sub" : nil,
                timeoutMilliseconds: 60_000, retry: retry, circuitBreaker: nil, continueOnError: index % 4 == 0,
                inputs: index % 6 == 0 ? ["src/**"] : [], outputs: [], paths: [], deployment: nil, level: index)
        }
        return ExecutionGraph(
            name: "big", triggers: Triggers(push: .init(branches: ["main"], paths: ["src/**"])),
            env: ["nodes": "\"nodes\":[],\"secrets\":"], secrets: ["TOKEN"], concurrencyGroup: "ci",
            cancelInProgress: true, nodes: nodes, levels: nodes.map { [$0.id] },
            sourceMap: ["step-0": SourceLocation(file: "x.yml", line: 1, column: 1, endLine: 1, endColumn: 2)])
    }

    @Test(arguments: [1, 255, 256, 257, 1_001]) func slicedEqualsWhole(count: Int) {
        let graph = Self.graph(nodes: count)
        #expect(graph.canonicalJSON() == ExecutionGraph.canonicalEncoding(graph.withoutSourceMap))
    }
}
