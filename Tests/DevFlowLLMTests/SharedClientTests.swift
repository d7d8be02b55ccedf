import Foundation
import Testing

@testable import DevFlowLLM

/// The llm agent's shared HTTP client and its deadlines: no read timeout of its own (a slow model's answer is bounded
/// by the agent's `timeout:` alone), a connection limit from `DEVFLOW_LLM_MAX_CONNECTIONS`, and deadlines as
/// timers that fire once or not at all.
@Suite struct SharedClientTests {
    @Test("no read timeout; 8 connections per server unless DEVFLOW_LLM_MAX_CONNECTIONS says 1 to 65536")
    func configuration() {
        let standard = ChatCompletionsClient.sharedConfiguration([:])
        #expect(standard.timeout.read == nil && standard.timeout.connect == .seconds(10))
        #expect(standard.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit == 8)
        #expect(!standard.connectionPool.retryConnectionEstablishment)
        let raised = ChatCompletionsClient.sharedConfiguration(["DEVFLOW_LLM_MAX_CONNECTIONS": "10100"])
        #expect(raised.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit == 10_100)
        for invalid in ["0", "65537", "many", ""] {
            #expect(ChatCompletionsClient.maxConnections(["DEVFLOW_LLM_MAX_CONNECTIONS": invalid]) == 8)
        }
    }

    /// Counts calls.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test("a deadline fires once after its time; a disarmed one never does; zero never arms")
    func deadlines() async throws {
        let fired = Calls()
        let deadline = TaskDeadline(seconds: 0.05) { fired.add() }
        let disarmed = Calls()
        let early = TaskDeadline(seconds: 0.05) { disarmed.add() }
        early.disarm()
        let never = Calls()
        let zero = TaskDeadline(seconds: 0) { never.add() }
        let started = Date()
        while fired.value == 0, Date().timeIntervalSince(started) < 10 { try await Task.sleep(nanoseconds: 5_000_000) }
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(fired.value == 1 && deadline.expired)
        #expect(disarmed.value == 0 && !early.expired)
        #expect(never.value == 0 && !zero.expired)
    }

    @Test("Deadline.run: the operation's value in time; Exceeded when it runs past, the operation cancelled")
    func deadlineRun() async throws {
        #expect(try await Deadline.run(seconds: 5) { 42 } == 42)
        let cancelled = Calls()
        await #expect(throws: Deadline.Exceeded.self) {
            try await Deadline.run(seconds: 0.05) { () -> Int in
                do {
                    try await Task.sleep(nanoseconds: 30_000_000_000)
                } catch {
                    cancelled.add()
                    throw error
                }
                return 0
            }
        }
        #expect(cancelled.value == 1)
    }
}
