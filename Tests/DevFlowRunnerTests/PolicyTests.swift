import DevFlowGraph
import DevFlowRunner
import DevFlowStepIO
import DevFlowStore
import Foundation
import Testing

/// Retry and breaker semantics, with an injected clock: no test sleeps.
@Suite struct PolicyTests {
    struct FixedJitter: JitterSource {
        var value: Double
        func unit() -> Double { value }
    }

    static let transient = RetryPolicy(
        name: "transient", attempts: 3,
        backoff: .init(initialMilliseconds: 2000, factor: 2, maximumMilliseconds: 5000, jitter: "full"),
        retryOn: ["exit:75", "timeout", "signal:KILL"], deadlineMilliseconds: nil)

    @Test func retriesOnlyMatchingFailuresWithinTheAttemptBudget() {
        let jitter = FixedJitter(value: 1)
        let exit75 = AttemptOutcome(kind: .failed, exitCode: 75)
        #expect(
            RetryDecision.next(after: exit75, attempt: 1, elapsed: 0, policy: Self.transient, jitter: jitter)?.reason
                == "exit:75")
        #expect(
            RetryDecision.next(after: exit75, attempt: 3, elapsed: 0, policy: Self.transient, jitter: jitter) == nil)
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .failed, exitCode: 1), attempt: 1, elapsed: 0, policy: Self.transient,
                jitter: jitter) == nil)
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .timedOut), attempt: 1, elapsed: 0, policy: Self.transient, jitter: jitter)?
                .reason == "timeout")
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .failed, signal: 9), attempt: 1, elapsed: 0, policy: Self.transient,
                jitter: jitter)?.reason == "signal:KILL")
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .cancelled), attempt: 1, elapsed: 0, policy: Self.transient, jitter: jitter)
                == nil)
        #expect(RetryDecision.next(after: exit75, attempt: 1, elapsed: 0, policy: .none, jitter: jitter) == nil)
    }

    @Test func backoffGrowsIsCappedAndJittered() {
        let full = FixedJitter(value: 1)
        #expect(RetryDecision.backoff(attempt: 1, policy: Self.transient.backoff, jitter: full) == 2)
        #expect(RetryDecision.backoff(attempt: 2, policy: Self.transient.backoff, jitter: full) == 4)
        #expect(RetryDecision.backoff(attempt: 3, policy: Self.transient.backoff, jitter: full) == 5)
        #expect(
            RetryDecision.backoff(attempt: 2, policy: Self.transient.backoff, jitter: FixedJitter(value: 0.25)) == 1)
        var equal = Self.transient.backoff
        equal.jitter = "equal"
        #expect(RetryDecision.backoff(attempt: 2, policy: equal, jitter: FixedJitter(value: 0)) == 2)
    }

    @Test func deadlineAndRetryAfterAreHonoured() {
        var policy = Self.transient
        policy.deadlineMilliseconds = 3000
        let jitter = FixedJitter(value: 1)
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .failed, exitCode: 75), attempt: 1, elapsed: 0.5, policy: policy,
                jitter: jitter)?.delay == 2)
        #expect(
            RetryDecision.next(
                after: AttemptOutcome(kind: .failed, exitCode: 75), attempt: 1, elapsed: 1.5, policy: policy,
                jitter: jitter) == nil)
        let limited = AttemptOutcome(kind: .failed, agentErrorKind: "rate_limited", retryAfter: 30)
        var agentPolicy = Self.transient
        agentPolicy.retryOn = ["agent:rate_limited"]
        #expect(
            RetryDecision.next(after: limited, attempt: 1, elapsed: 0, policy: agentPolicy, jitter: jitter)?.delay == 30
        )
    }

    static let breaker = CircuitBreakerPolicy(
        name: "llm", failureRatePercent: 50, minimumCalls: 4, windowCalls: 10, windowMilliseconds: nil,
        openForMilliseconds: 60_000,
        halfOpenCalls: 2, whenOpen: "skip")

    @Test func breakerOpensHalfOpensAndCloses() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var record = BreakerRecord.closed("llm", at: start)
        for (index, ok) in [true, false, true].enumerated() {
            #expect(
                CircuitBreaker.record(
                    &record, success: ok, probe: false, policy: Self.breaker, now: start + Double(index)) == nil)
        }
        let opened = CircuitBreaker.record(&record, success: false, probe: false, policy: Self.breaker, now: start + 3)
        #expect(opened?.to == "open")
        #expect(CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 30).0.allowed == false)
        let (probe, halfOpen) = CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 64)
        #expect(probe == .init(allowed: true, probe: true))
        #expect(halfOpen?.to == "half_open")
        #expect(CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 64).0.probe)
        #expect(CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 64).0.allowed == false)
        #expect(
            CircuitBreaker.record(&record, success: true, probe: true, policy: Self.breaker, now: start + 65) == nil)
        #expect(
            CircuitBreaker.record(&record, success: true, probe: true, policy: Self.breaker, now: start + 66)?.to
                == "closed")
    }

    @Test func aFailedProbeReopensAndOperatorModesWin() {
        let start = Date(timeIntervalSince1970: 2_000_000)
        var record = BreakerRecord.closed("llm", at: start)
        record.state = "open"
        record.openedAt = start
        _ = CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 61)
        #expect(
            CircuitBreaker.record(&record, success: false, probe: true, policy: Self.breaker, now: start + 62)?.to
                == "open")
        record.mode = "disabled"
        #expect(CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 63).0.allowed)
        record.mode = "forced_open"
        record.state = "closed"
        #expect(!CircuitBreaker.admit(&record, policy: Self.breaker, now: start + 63).0.allowed)
    }

    @Test func timeWindowsForgetOldCalls() {
        var policy = Self.breaker
        policy.windowCalls = nil
        policy.windowMilliseconds = 10_000
        let start = Date(timeIntervalSince1970: 3_000_000)
        var record = BreakerRecord.closed("llm", at: start)
        for index in 0..<3 {
            _ = CircuitBreaker.record(&record, success: false, probe: false, policy: policy, now: start + Double(index))
        }
        // Twenty seconds later the three failures have left the window: one more failure is 1 of 1 < minimum calls.
        #expect(CircuitBreaker.record(&record, success: false, probe: false, policy: policy, now: start + 20) == nil)
        #expect(record.state == "closed")
    }

    @Test func secretsAreMasked() {
        let masker = SecretMasker(secrets: ["hunter2-token", "ab"])
        #expect(masker.mask("token=hunter2-token; ab") == "token=***; ab")
    }
}
