import Foundation
import Testing

@testable import DevFlowServer

/// The dispatcher's doorbell: a ring wakes every waiter at once, a ring since the waiter's mark is never lost, and
/// without a ring a wait ends at its deadline or when its task is cancelled.
@Suite struct DoorbellTests {
    @Test("a ring wakes three waiters long before their 30 s deadline")
    func ringWakesAll() async throws {
        let doorbell = Doorbell()
        let started = Date()
        let mark = doorbell.generation
        let waiters = (0..<3).map { _ in Task { await doorbell.wait(seconds: 30, since: mark) } }
        try await Task.sleep(nanoseconds: 50_000_000)
        doorbell.ring()
        for waiter in waiters { await waiter.value }
        #expect(Date().timeIntervalSince(started) < 29)  // well before the 30 s deadline, even on a loaded machine
        #expect(doorbell.generation == mark + 1)
    }

    @Test("a ring after the mark but before the wait: the wait returns at once")
    func ringBeforeWaitIsKept() async {
        let doorbell = Doorbell()
        let mark = doorbell.generation
        doorbell.ring()
        let started = Date()
        await doorbell.wait(seconds: 30, since: mark)
        #expect(Date().timeIntervalSince(started) < 29)  // well before the 30 s deadline, even on a loaded machine
    }

    @Test("no ring: the wait ends at its deadline; a cancelled task stops waiting")
    func deadlineAndCancel() async {
        let doorbell = Doorbell()
        let started = Date()
        await doorbell.wait(seconds: 0.1)
        #expect(Date().timeIntervalSince(started) >= 0.09)
        let waiter = Task { await doorbell.wait(seconds: 30) }
        waiter.cancel()
        let cancelled = Date()
        await waiter.value
        #expect(Date().timeIntervalSince(cancelled) < 29)  // well before the 30 s deadline, even on a loaded machine
    }
}
