import ChatCompletionsTestServer
import DevFlowAgents
import DevFlowGit
import DevFlowLLM
import Foundation
import Testing

/// Answers that break the protocol or the schema, token budgets, and the prompt.
@Suite struct AnswerAndBudgetTests {
    @Test func aBodyThatIsNotJSONIsMalformed() async throws {
        let server = try await ChatCompletionsServer.start([
            ScriptedAnswer(status: 200, headers: ["Content-Type": "text/html"], body: "<html>gateway</html>")
        ])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server)
        #expect(result.status == "error")
        #expect(result.errorKind == "malformed_response")
        #expect(
            result.summary.hasPrefix("llm: the server's answer is not chat-completions JSON: '<html>gateway</html>'"))
        #expect(server.requests.count == 1)
    }

    @Test func contentThatIgnoresTheSchemaIsAskedOnceMoreThenRejected() async throws {
        let server = try await ChatCompletionsServer.start(
            [], fallback: .completion(#"{"verdict": "looks good"}"#))
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server)
        #expect(result.errorKind == "malformed_response")
        #expect(result.summary.contains(#"the object has no "findings" array (its keys: 'verdict')"#))
        #expect(server.requests.count == 2)
        let second = server.requests.dropFirst().first?.messages ?? []
        #expect(second.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(second.last?.content.hasPrefix("That answer cannot be used") == true)
        #expect(result.outputs["tokens"] == "240")
    }

    @Test func aSecondChanceThatFollowsTheSchemaIsAccepted() async throws {
        let server = try await ChatCompletionsServer.start([
            .completion("Looks fine to me!"),
            .completion("```json\n" + ReviewFixture.answer([(4, "warning")]) + "\n```"),
        ])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server, ["fail_on": "medium"])
        #expect(result.status == "failure")
        #expect(result.findings.map(\.severity) == [.medium])
        #expect(result.summary.contains("the content is not JSON: 'Looks fine to me!'; asked once more"))
    }

    @Test func schemaProblemsAreAllReported() {
        let content = #"{"findings": [{"rule": "", "severity": "urgent", "file": "a", "line": 0, "message": "m"}]}"#
        #expect(throws: ReviewSchemaError.self) { try ReviewSchema.validate(content) }
        do {
            _ = try ReviewSchema.validate(content)
        } catch {
            #expect(
                error.problems == [
                    "findings[0].rule is not a non-empty string",
                    "findings[0].severity 'urgent' is not low, medium or high",
                    "findings[0].line is not a positive integer",
                ])
        }
        let answer = try? ReviewSchema.validate(
            #"{"findings": [{"rule": "r", "severity": "info", "file": "a", "line": 2, "end_line": null, "message": "m"}]}"#
        )
        #expect(answer?.findings.first?.endLine == 2)
        #expect(answer?.findings.first?.severity == .low)
    }

    @Test func theStepStopsAtItsTokenBudget() async throws {
        let server = try await ChatCompletionsServer.start([], fallback: .completion("not json", usage: (280, 50)))
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server, ["max_tokens_per_step": 300])
        #expect(result.status == "error")
        #expect(result.errorKind == "budget_exceeded")
        #expect(
            result.summary.hasPrefix("llm: token budget max_tokens_per_step=300 exceeded: the step used 330 tokens"))
        #expect(server.requests.count == 1)
        // The completion limit sent keeps the request inside the budget: 300 minus the estimated prompt.
        let limit = (server.requests.first?.json["max_tokens"] as? NSNumber)?.intValue ?? 0
        #expect(limit > 0 && limit < 100)
    }

    @Test func theRunBudgetIsSharedAndRefusesTheNextStepWithoutARequest() async throws {
        let server = try await ChatCompletionsServer.start(
            [], fallback: .completion(ReviewFixture.answer([]), usage: (300, 30)))
        defer { Task { await server.stop() } }
        let ledger = TokenLedger()
        let first = await ReviewFixture.run(server, ["max_tokens_per_run": 500], ledger: ledger)
        #expect(first.status == "success")
        #expect(first.outputs["run_tokens"] == "330")
        let second = await ReviewFixture.run(server, ["max_tokens_per_run": 500], ledger: ledger)
        #expect(second.errorKind == "budget_exceeded")
        #expect(second.summary.contains("token budget max_tokens_per_run=500 has 170 tokens left"))
        #expect(second.summary.contains("no request made"))
        #expect(server.requests.count == 1)
        #expect(ledger.used == 330)
    }

    @Test func badInputsAreClearErrors() async throws {
        let result = await LLMReviewAgent().run(
            inputs: ["endpoint": "ftp://x", "model": "m"], environment: [:], workspace: "/", ledger: TokenLedger()
        ) { [] }
        #expect(result.summary == "llm: input endpoint 'ftp://x' is not an http(s) URL")
        let missing = await LLMReviewAgent().run(
            inputs: ["model": "m", "api_key_env": "NOPE"], environment: [:], workspace: "/", ledger: TokenLedger()
        ) { [] }
        #expect(missing.summary == "llm: api_key_env names 'NOPE', which is not set in the environment")
    }

    @Test func aCustomTemplateGetsItsPlaceholdersAndTheDiffIsCut() async throws {
        let server = try await ChatCompletionsServer.start([.completion(ReviewFixture.answer([]))])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(
            server, ["prompt": "Files:\n{{files}}\nDiff:\n{{diff}}", "max_diff_bytes": 60])
        let prompt = server.requests.first?.messages.last?.content ?? ""
        #expect(prompt.hasPrefix("Files:\n- app/main.py\nDiff:\n=== app/main.py\n@@ -2,3 +2,3 @@\n"))
        #expect(prompt.contains("[the diff was cut at max_diff_bytes=60; left out: app/main.py (from here)]"))
        #expect(result.summary.contains("the diff was cut at max_diff_bytes=60"))
    }

    @Test func scopeAllShowsWholeFiles() {
        let whole = ReviewDiff.whole(AgentScope.all(in: ReviewFixture.workspace))
        #expect(whole.files.map(\.path) == ["app/main.py"])
        #expect(whole.render(maxBytes: 10_000).shown["app/main.py"] == Set(1...7))
        let diff = ReviewDiff.changes([ReviewFixture.diff], workspace: ReviewFixture.workspace)
        #expect(diff.files.first?.hunks.first?.lines.map(\.marker) == [" ", " ", "-", "+"])
        #expect(diff.render(maxBytes: 10_000).shown["app/main.py"] == [2, 3, 4])
    }
}
