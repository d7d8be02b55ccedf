import DevFlowForges
import DevFlowWebhooks
import FakeForgeServer
import Foundation
import Testing

/// Retries, `Retry-After`, give-ups, the gate and masking, against the fake forge; no test sleeps for real.
@Suite struct OutboundRetryTests {
    static let token = "glpat-SuperSecretToken42"

    static func post(
        _ server: FakeForgeServer, _ sleeps: SleepRecorder, gate: any OutboundGate = OpenGate(), maxRetries: Int = 3
    ) async -> OutboundFailure? {
        let client = GitLabStatusClient(
            api: server.baseURL, token: token, sender: Outbound.sender(sleeps, gate: gate, maxRetries: maxRetries))
        do throws(OutboundFailure) {
            try await client.post(Outbound.status)
            return nil
        } catch {
            return error
        }
    }

    @Test func a429IsRetriedAfterItsRetryAfterSeconds() async throws {
        let server = try await FakeForgeServer.start([
            .error(429, "slow down", headers: ["Retry-After": "7"]), .created,
        ])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        #expect(await Self.post(server, sleeps) == nil)
        #expect(sleeps.slept == [7])
        #expect(server.requests.count == 2)
        #expect(server.requests[0].body == server.requests[1].body)
    }

    @Test func a503RetryAfterAsAnHTTPDateIsReadWithTheInjectedClock() async throws {
        // The injected clock is 2025-12-01 12:00:00 GMT; the date is 90 seconds later.
        let server = try await FakeForgeServer.start([
            .error(503, "maintenance", headers: ["Retry-After": "Mon, 01 Dec 2025 12:01:30 GMT"]), .created,
        ])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let client = GitLabStatusClient(
            api: server.baseURL, token: Self.token,
            sender: OutboundSender(
                policy: .init(maxRetryAfter: 120), sleep: sleeps.sleep,
                now: { Date(timeIntervalSince1970: 1_764_590_400) }))
        try await client.post(Outbound.status)
        #expect(sleeps.slept == [90])
    }

    @Test func fiveHundredsBackOffExponentiallyThenGiveUp() async throws {
        let server = try await FakeForgeServer.start([], fallback: .error(502, "bad gateway"))
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let failure = await Self.post(server, sleeps)
        #expect(failure?.kind == .unavailable)
        #expect(failure?.status == 502)
        #expect(failure?.message == "gitlab status: HTTP 502: bad gateway (after 3 retries)")
        #expect(sleeps.slept == [1, 2, 4])
        #expect(server.requests.count == 4)
    }

    @Test func aLongRetryAfterIsNotWaitedFor() async throws {
        let server = try await FakeForgeServer.start([.error(429, "quota", headers: ["Retry-After": "3600"])])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let failure = await Self.post(server, sleeps)
        #expect(failure?.kind == .rateLimited)
        #expect(failure?.retryAfter == 3600)
        #expect(failure?.message.hasSuffix("Retry-After 3600s is longer than 60s, not waited for") == true)
        #expect(sleeps.slept.isEmpty)
    }

    @Test func otherFourHundredsGiveUpAtOnceWithTheBodysMessage() async throws {
        let server = try await FakeForgeServer.start([.error(404, "404 Project Not Found")])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let failure = await Self.post(server, sleeps)
        #expect(failure == OutboundFailure(.rejected, "gitlab status: HTTP 404: 404 Project Not Found", status: 404))
        #expect(sleeps.slept.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func theTokenNeverAppearsInAFailure() async throws {
        let server = try await FakeForgeServer.start([.error(401, "token \(Self.token) is revoked")])
        defer { Task { await server.stop() } }
        let failure = await Self.post(server, SleepRecorder())
        #expect(failure?.kind == .unauthorized)
        #expect(
            failure?.message == "gitlab status: HTTP 401 (check the token and its permissions): token *** is revoked")
        #expect(server.requests.first?.headers["private-token"] == Self.token)
    }

    @Test func aRefusedConnectionIsRetriedThenUnavailable() async throws {
        let server = try await FakeForgeServer.start()
        let closedPort = server.baseURL
        await server.stop()
        let sleeps = SleepRecorder()
        let client = GitLabStatusClient(
            api: closedPort, token: Self.token, sender: Outbound.sender(sleeps, maxRetries: 2))
        do throws(OutboundFailure) {
            try await client.post(Outbound.status)
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.message.hasPrefix("gitlab status: cannot reach the server"))
            #expect(!error.message.contains(Self.token))
        }
        #expect(sleeps.slept == [1, 2])
    }

    @Test func anOpenBreakerSendsNothing() async throws {
        let server = try await FakeForgeServer.start()
        defer { Task { await server.stop() } }
        let gate = RecordingGate(open: true)
        let failure = await Self.post(server, SleepRecorder(), gate: gate)
        #expect(failure?.kind == .circuitOpen)
        #expect(server.requests.isEmpty)
        #expect(await gate.asked == ["gitlab status"])
        #expect(await gate.outcomes.isEmpty)
    }

    @Test func theGateHearsOneOutcomePerCall() async throws {
        let server = try await FakeForgeServer.start([.error(500, "oops"), .created, .error(422, "bad state")])
        defer { Task { await server.stop() } }
        let gate = RecordingGate()
        #expect(await Self.post(server, SleepRecorder(), gate: gate) == nil)
        #expect(await Self.post(server, SleepRecorder(), gate: gate)?.kind == .rejected)
        let unavailable = try await FakeForgeServer.start([], fallback: .error(503, "down"))
        defer { Task { await unavailable.stop() } }
        #expect(await Self.post(unavailable, SleepRecorder(), gate: gate, maxRetries: 1)?.kind == .unavailable)
        #expect(
            await gate.outcomes == [
                "gitlab status: success", "gitlab status: success", "gitlab status: failure",
            ])
    }

    @Test func retryAfterReadsSecondsDatesAndNonsense() {
        let now = Date(timeIntervalSince1970: 1_764_590_400)
        #expect(RetryAfterHeader.seconds("120", now: now) == 120)
        #expect(RetryAfterHeader.seconds("Mon, 01 Dec 2025 12:00:10 GMT", now: now) == 10)
        #expect(RetryAfterHeader.seconds("Monday, 01-Dec-25 12:00:20 GMT", now: now) == 20)
        #expect(RetryAfterHeader.seconds("Sun, 30 Nov 2025 12:00:00 GMT", now: now) == 0)
        #expect(RetryAfterHeader.seconds("soon", now: now) == nil)
        #expect(RetryAfterHeader.seconds(nil, now: now) == nil)
    }
}

/// Records the waits a sender asks for, and returns at once.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Double] = []

    var slept: [Double] { lock.withLock { waits } }

    var sleep: OutboundSender.Sleep {
        { [self] seconds in lock.withLock { waits.append(seconds) } }
    }
}

/// A breaker stand-in: open or closed as told, recording every question and outcome.
actor RecordingGate: OutboundGate {
    var open: Bool
    private(set) var asked: [String] = []
    private(set) var outcomes: [String] = []

    init(open: Bool = false) { self.open = open }

    func allow(name: String) async -> Bool {
        asked.append(name)
        return !open
    }

    func record(name: String, success: Bool) async {
        outcomes.append("\(name): \(success ? "success" : "failure")")
    }
}

enum Outbound {
    /// A sender with recorded sleeps, a fixed clock and `gate`.
    static func sender(
        _ sleeps: SleepRecorder, gate: any OutboundGate = OpenGate(), maxRetries: Int = 3,
        now: Date = Date(timeIntervalSince1970: 1_764_590_400)
    ) -> OutboundSender {
        OutboundSender(
            policy: .init(maxRetries: maxRetries, backoff: 1, maxBackoff: 30, maxRetryAfter: 60, timeout: 10),
            gate: gate, sleep: sleeps.sleep, now: { now })
    }

    /// A failing run's status.
    static let status = CommitStatus(
        repository: "acme/app", sha: "9c4e2a7f1d3b5c8e0a6f4d2b9e7c5a3f1d8b6e40", state: .failure,
        context: "devflow/ci", description: "test failed after 3 attempts",
        targetURL: "http://127.0.0.1:8080/runs/12")

    /// The body of a recorded request as a dictionary of strings.
    static func fields(_ json: Any?) -> [String: String] {
        ((json as? [String: Any]) ?? [:]).compactMapValues { $0 as? String }
    }
}
