import DevFlowGraph
import DevFlowRunner
import Foundation
import Testing

/// The bound on step processes across runs: never more holders than the limit, first come first served, and a
/// cancelled waiter leaves without a permit; llm steps need none.
@Suite struct ProcessPermitsTests {
    /// Records how many bodies run at once.
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var peak = 0
        private(set) var order: [Int] = []

        func enter(_ index: Int) {
            lock.withLock {
                now += 1
                peak = max(peak, now)
                order.append(index)
            }
        }

        func leave() { lock.withLock { now -= 1 } }
    }

    @Test("forty bodies over three permits: at most three at once, and every body ran")
    func limitHolds() async {
        let permits = ProcessPermits(limit: 3)
        let gauge = Gauge()
        let ran = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    await permits.withPermit(cancellation: Cancellation()) {
                        gauge.enter(index)
                        try? await Task.sleep(nanoseconds: 2_000_000)
                        gauge.leave()
                    } != nil
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(ran.count == 40 && ran.allSatisfy { $0 })
        #expect(gauge.peak <= 3 && gauge.peak >= 1)
        #expect(permits.available == 3 && permits.waiting == 0)
    }

    @Test("waiters get a released permit in the order they came")
    func firstComeFirstServed() async throws {
        let permits = ProcessPermits(limit: 1)
        #expect(await permits.acquire(cancellation: Cancellation()))
        let gauge = Gauge()
        var tasks: [Task<Void, Never>] = []
        for index in 0..<5 {
            tasks.append(
                Task {
                    _ = await permits.withPermit(cancellation: Cancellation()) { gauge.enter(index) }
                })
            // Each waiter is queued before the next one starts.
            while permits.waiting < index + 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        }
        permits.release()
        for task in tasks { await task.value }
        #expect(gauge.order == [0, 1, 2, 3, 4])
        #expect(permits.available == 1)
    }

    @Test("a run cancelled while its step waits: the wait ends without a permit, and the permits are whole")
    func cancelledWaiterLeaves() async throws {
        let permits = ProcessPermits(limit: 1)
        #expect(await permits.acquire(cancellation: Cancellation()))
        let cancellation = Cancellation()
        let waiter = Task { await permits.acquire(cancellation: cancellation) }
        while permits.waiting == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        cancellation.cancel(graceful: true)
        #expect(await waiter.value == false)
        #expect(permits.waiting == 0)
        // Cancelled before asking: no wait at all, even with no permit free.
        #expect(await permits.acquire(cancellation: cancellation) == false)
        permits.release()
        #expect(permits.available == 1)
    }

    @Test("hooks and agents start processes; llm steps do not")
    func whatStartsAProcess() {
        #expect(NodeAction.hook(script: "make", shell: "bash -e").startsProcess)
        #expect(NodeAction.agent(agent: "security", uses: "security-guardian", command: nil, with: [:]).startsProcess)
        #expect(NodeAction.agent(agent: "mine", uses: nil, command: "./agent", with: [:]).startsProcess)
        #expect(!NodeAction.agent(agent: "review", uses: "llm", command: nil, with: [:]).startsProcess)
        #expect(!NodeAction.agent(agent: "llm", uses: nil, command: nil, with: [:]).startsProcess)
    }
}
