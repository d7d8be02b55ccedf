import ChatCompletionsTestServer
import DevFlowLLM
import Foundation
import Testing

/// The llm agent against a real HTTP server speaking the chat-completions protocol: answers, retries, timeouts.
@Suite struct ChatProtocolTests {
    @Test func aNormalAnswerGivesFindingsOnDiffLinesOnly() async throws {
        let server = try await ChatCompletionsServer.start([
            .completion(ReviewFixture.answer([(4, "critical"), (40, "low")]), usage: (300, 50))
        ])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server)
        #expect(result.status == "failure")
        #expect(result.findings.map(\.line) == [4])
        #expect(result.findings.first?.severity == .high)
        #expect(result.outputs["tokens"] == "350")
        #expect(result.outputs["prompt_tokens"] == "300")
        #expect(result.summary.contains("dropped 1 finding(s) on lines not in the diff: app/main.py:40"))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.uri == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer \(ReviewFixture.key)")
        #expect(request.json["model"] as? String == "test-model")
        #expect((request.json["temperature"] as? NSNumber)?.doubleValue == 0)
        #expect((request.json["response_format"] as? [String: Any])?["type"] as? String == "json_object")
        let prompt = request.messages.last?.content ?? ""
        #expect(prompt.contains("=== app/main.py"))
        #expect(prompt.contains("+     4 |     return eval(open(path).read())"))
        #expect(prompt.contains("-       |     return json.load(open(path))"))
        #expect(prompt.contains("      3 | def load(path):"))
        #expect(!result.summary.contains(ReviewFixture.key))
    }

    @Test func theKeyIsSentAsBearerAndNeverShown() async throws {
        let server = try await ChatCompletionsServer.start([
            .error(401, "Incorrect API key provided: \(ReviewFixture.key)")
        ])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server)
        #expect(result.status == "error")
        #expect(result.errorKind == "unauthorized")
        #expect(server.requests.first?.headers["authorization"] == "Bearer \(ReviewFixture.key)")
        #expect(!result.summary.contains(ReviewFixture.key))
        #expect(result.summary.contains("Incorrect API key provided: ***"))
    }

    @Test func aKeyFromTheEnvironmentIsUsed() async throws {
        let server = try await ChatCompletionsServer.start([.completion(ReviewFixture.answer([]))])
        defer { Task { await server.stop() } }
        let result = await LLMReviewAgent().run(
            inputs: ["endpoint": .string(server.endpoint), "model": "m", "api_key_env": "LLM_KEY"],
            environment: ["LLM_KEY": "env-key-42"], workspace: ReviewFixture.workspace, ledger: TokenLedger()
        ) { [ReviewFixture.diff] }
        #expect(result.status == "success")
        #expect(server.requests.first?.headers["authorization"] == "Bearer env-key-42")
    }

    @Test func a429IsRetriedAfterItsRetryAfter() async throws {
        let server = try await ChatCompletionsServer.start([
            .error(429, "slow down", headers: ["Retry-After": "7"]), .completion(ReviewFixture.answer([])),
        ])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let result = await ReviewFixture.run(server, sleeps: sleeps)
        #expect(result.status == "success")
        #expect(sleeps.slept == [7])
        #expect(server.requests.count == 2)
        #expect(result.summary.contains("HTTP 429 from the server: slow down; retry 1 in 7s"))
    }

    @Test func a429AfterTheRetriesIsRateLimitedWithItsRetryAfter() async throws {
        let server = try await ChatCompletionsServer.start(
            [], fallback: .error(429, "quota", headers: ["Retry-After": "3"]))
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let result = await ReviewFixture.run(server, ["max_retries": 1], sleeps: sleeps)
        #expect(result.errorKind == "rate_limited")
        #expect(result.retryAfter == 3)
        #expect(sleeps.slept == [3])
        #expect(server.requests.count == 2)
    }

    @Test func aRetryAfterOverTheCapIsLeftToTheRunner() async throws {
        let server = try await ChatCompletionsServer.start(
            [], fallback: .error(429, "quota", headers: ["Retry-After": "600"]))
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let result = await ReviewFixture.run(server, sleeps: sleeps)
        #expect(result.errorKind == "rate_limited")
        #expect(result.retryAfter == 600)
        #expect(sleeps.slept.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // Wed, 21 Oct 2015 07:27:50 GMT
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 10)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:20:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
    }

    @Test func a503IsRetriedWithBackoff() async throws {
        let server = try await ChatCompletionsServer.start([
            .error(503, "loading model"), .completion(ReviewFixture.answer([])),
        ])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let result = await ReviewFixture.run(server, sleeps: sleeps)
        #expect(result.status == "success")
        #expect(sleeps.slept == [1])
    }

    @Test func fiveHundredsUntilTheRetriesRunOutAreUnavailable() async throws {
        let server = try await ChatCompletionsServer.start([], fallback: .error(500, "boom"))
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let result = await ReviewFixture.run(server, ["max_retries": 2], sleeps: sleeps)
        #expect(result.status == "error")
        #expect(result.errorKind == "unavailable")
        #expect(server.requests.count == 3)
        #expect(sleeps.slept == [1, 2])
        #expect(result.summary.hasPrefix("llm: HTTP 500 from the server: boom (after 2 retries)"))
    }

    @Test func aRefusedConnectionIsUnavailable() async throws {
        let server = try await ChatCompletionsServer.start([])
        let endpoint = server.endpoint
        await server.stop()
        let result = await LLMReviewAgent(sleep: SleepRecorder().sleep).run(
            inputs: ["endpoint": .string(endpoint), "model": "m", "max_retries": 0], environment: [:],
            workspace: ReviewFixture.workspace, ledger: TokenLedger()
        ) { [ReviewFixture.diff] }
        #expect(result.errorKind == "unavailable")
        #expect(result.summary.contains("cannot reach"))
    }

    @Test func aSlowAnswerTimesOut() async throws {
        var slow = ScriptedAnswer.completion(ReviewFixture.answer([]))
        slow.delay = 300
        let server = try await ChatCompletionsServer.start([slow])
        defer { Task { await server.stop() } }
        let started = Date()
        let result = await ReviewFixture.run(server, ["timeout": 0.05])
        #expect(result.errorKind == "timeout")
        #expect(result.summary.contains("no answer within the request timeout of 0.05s"))
        // Far below the server's 300 s answer: the timeout ends the exchange, it does not wait for the answer. The
        // margin is wide because the test pool's two threads can be kept busy for tens of seconds by other suites'
        // real processes (runs, servers, agent children) on a loaded 2-core machine.
        #expect(Date().timeIntervalSince(started) < 120)
    }

    @Test func aServerThatRejectsResponseFormatIsAskedWithoutIt() async throws {
        let server = try await ChatCompletionsServer.start([
            .error(400, "unknown field: response_format"), .completion(ReviewFixture.answer([])),
        ])
        defer { Task { await server.stop() } }
        let result = await ReviewFixture.run(server)
        #expect(result.status == "success")
        #expect(server.requests.count == 2)
        #expect(server.requests.dropFirst().first?.json["response_format"] == nil)
        #expect(result.summary.contains("rejected response_format json_object"))
    }
}
