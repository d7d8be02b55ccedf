import DevFlowGraph
import Testing

/// Globs, trigger matching and plan decisions.
@Suite struct GlobAndPlannerTests {
    @Test(arguments: [
        ("Sources/**", "Sources/a/b.swift", true), ("Sources/**", "Tests/a.swift", false),
        ("**/*.md", "README.md", true), ("**/*.md", "docs/a/b.md", true), ("*.md", "docs/a.md", false),
        ("release/*", "release/1.0", true), ("release/*", "release/1/2", false), ("release/**", "release/1/2", true),
        ("v[0-9]*", "v1.2", true), ("v[!0-9]*", "v1.2", false), ("a?c", "abc", true), ("a?c", "a/c", false),
    ])
    func globMatching(_ pattern: String, _ text: String, _ expected: Bool) throws {
        guard case .success(let glob) = Glob.compile(pattern) else {
            Issue.record("\(pattern) should compile")
            return
        }
        #expect(glob.matches(text) == expected)
    }

    @Test func globErrorsAndNegation() {
        if case .failure(let error) = Glob.compile("src/[ab") {
            #expect(error.message == "character class '[' is never closed with ']'")
        } else {
            Issue.record("an unclosed class should fail")
        }
        if case .success = Glob.compile("a/***") { Issue.record("*** should fail") }
        let list = GlobList(["Sources/**", "!Sources/Generated/**"])
        #expect(list.matches("Sources/a.swift"))
        #expect(!list.matches("Sources/Generated/a.swift"))
    }

    static func graph(_ triggers: Triggers, nodes: [(String, [String], String, [String])]) -> ExecutionGraph {
        let built = nodes.enumerated().map { index, node in
            Node(
                id: node.0, step: node.0, name: nil, matrix: [:], action: .hook(script: "true", shell: "bash"),
                needs: node.1,
                condition: node.2, env: [:], workingDirectory: nil, timeoutMilliseconds: 1000, retry: .none,
                circuitBreaker: nil,
                continueOnError: false, inputs: [], outputs: [], paths: node.3, deployment: nil, level: index)
        }
        return ExecutionGraph(
            name: "p", triggers: triggers, env: [:], secrets: [], concurrencyGroup: nil, cancelInProgress: false,
            nodes: built, levels: built.map { [$0.id] }, sourceMap: nil)
    }

    @Test func planExplainsEveryDecision() {
        let graph = Self.graph(
            Triggers(push: .init(branches: ["main"], paths: ["src/**"])),
            nodes: [
                ("build", [], "success()", []), ("docs", ["build"], "success()", ["docs/**"]),
                ("deploy", ["build"], "git.branch == 'main' && success()", []), ("publish", ["docs"], "success()", []),
                ("notify", ["docs"], "always()", []), ("check", ["build"], "steps.build.outputs.x == '1'", []),
            ])
        let plan = Planner.plan(graph, for: PlanEvent(kind: "push", branch: "main", changedPaths: ["src/a.swift"]))
        #expect(plan.triggered)
        #expect(plan.decisions.map(\.verdict) == ["run", "skip", "run", "skip", "run", "runtime"])
        #expect(plan.decisions[1].reason == "paths: no changed path matches docs/**")
        #expect(plan.decisions[3].reason == "needs 'docs', which is skipped")
        let other = Planner.plan(graph, for: PlanEvent(kind: "push", branch: "feature"))
        #expect(!other.triggered)
        #expect(other.triggerReason == "branch 'feature' matches none of branches: main")
        let pullRequest = Planner.plan(graph, for: PlanEvent(kind: "pull_request", branch: "x"))
        #expect(pullRequest.triggerReason == "the pipeline does not run on 'pull_request'; it runs on push")
    }
}
