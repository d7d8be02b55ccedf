import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

/// Built-in agents as steps of `devflow run`: a pull-request review with all five, and performance-optimizer
/// learning from the runs the store recorded.
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct AgentPipelineTests {
    static let review = """
        version: 1
        name: review
        on: {pull_request: {branches: [main]}}
        agents:
          guardian: {uses: security-guardian, with: {fail_on: medium}}
          house-style:
            uses: style-enforcer
            with:
              formatters: [{name: fmt, command: "sh tools/fmt.sh {files}", patterns: ["**/*.swift"]}]
          docs-check:
            uses: doc-updater
            with: {rules: [{when: ["Sources/**"], require: [CHANGELOG.md]}]}
          test-nudge: {uses: test-generator}
          speed: {uses: performance-optimizer}
        steps:
          security: {agent: guardian, continue_on_error: true}
          style: {agent: house-style, continue_on_error: true}
          docs: {agent: docs-check, continue_on_error: true}
          tests: {agent: test-nudge, continue_on_error: true}
          performance: {agent: speed}

        """

    @Test("a pull-request review: every built-in's findings land in the store, per step, on changed lines only")
    func pullRequestReview() throws {
        let repository = try ReviewRepository()
        try Self.review.write(toFile: "\(repository.path)/.devflow.yml", atomically: true, encoding: .utf8)
        let database = "\(repository.path)/.devflow/db.sqlite"
        let run = Repository.run(
            builtDevflow, ["run", "--event", "pull_request", "--base", "main", "--db", database, "-j", "1"],
            directory: repository.path)
        #expect(run.status == 0, "\(run.output)")
        let store = try SQLiteRunStore(path: database)
        let findings = try store.findings(run: 1).map { "\($0.nodeId) \($0.file):\($0.line) \($0.rule)" }
        #expect(
            findings.sorted() == [
                "docs Sources/App/Lexer.swift:1 docs-not-updated", "docs docs/usage.md:5 generated-region-stale",
                "security deploy/release.sh:3 curl-pipe-shell",
                "style Sources/App/Lexer.swift:2 indent-size", "style Sources/App/Lexer.swift:3 final-newline",
                "style Sources/App/Parser.swift:3 trailing-whitespace", "style Sources/App/Parser.swift:4 indent-style",
                "style Sources/App/Parser.swift:5 max-line-length", "style Sources/App/Parser.swift:6 formatting",
                "tests Sources/App/Lexer.swift:1 missing-test-change", "tests app/util.py:3 missing-test-change",
                "tests web/src/format.ts:1 missing-test-change",
            ])
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: 1).map { ($0.nodeId, $0.status) })
        #expect(nodes["security"] == .failed && nodes["style"] == .failed && nodes["performance"] == .succeeded)
        let markdown = Repository.run(
            builtDevflow, ["runs", "findings", "1", "--format", "markdown", "--db", database],
            directory: repository.path)
        #expect(markdown.output.contains("```diff\n--- a/Sources/App/Parser.swift"))
        // The old token on an untouched line is neither reported nor stored.
        let token = "ghp_" + "Zq7LmN2pR8sT4vW6yA1bC3dE5fG9hJ0kXuYo"
        #expect(!run.output.contains(token) && !markdown.output.contains(token))
        #expect(!(try Data(contentsOf: URL(fileURLWithPath: database))).contains(Data(token.utf8)))
    }

    @Test("performance-optimizer reads this pipeline's history from the store: a step that needs a retry every run")
    func history() throws {
        let directory = try RunCommandTests.workspace(
            """
            version: 1
            name: speed
            on: {manual: {}}
            defaults: {shell: sh -eu}
            agents:
              speed: {uses: performance-optimizer, with: {fail_on: medium}}
            steps:
              build: {run: "true"}
              flaky:
                retry: {attempts: 2, backoff: {initial: 1ms, jitter: none}, on: [failure]}
                run: test "$DEVFLOW_ATTEMPT" -gt 1
              performance: {agent: speed, needs: [build, flaky]}

            """)
        let database = "\(directory)/db.sqlite"
        var statuses: [Int32] = []
        for _ in 0..<3 {
            statuses.append(Repository.run(builtDevflow, ["run", "--db", database], directory: directory).status)
        }
        // Run 1 has no history; run 2 sees one run with the retry (100% ≥ medium's threshold) and fails.
        #expect(statuses == [0, 1, 1])
        let store = try SQLiteRunStore(path: database)
        let findings = try store.findings(run: 3)
        #expect(findings.map(\.rule) == ["flaky-step"])
        #expect(findings.first?.file == ".devflow.yml" && findings.first?.line == 9)
        #expect(findings.first?.message.contains("passed only after a retry in 2 of its last 2 runs") == true)
        #expect(try store.outputs(run: 3)["performance"]?["runs"] == "2")
    }
}
