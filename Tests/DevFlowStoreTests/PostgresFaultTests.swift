import DevFlowStore
import DevFlowStorePostgres
import DevFlowStoreTestSupport
import Foundation
import Testing

/// Faults only a shared PostgreSQL store has: a server restart under load (a worker partitioned past its lease is in
/// `LateWriteTests`, on every backend).
@Suite("PostgreSQL faults", .enabled(if: StoreBackend.available.contains(.postgres)))
struct PostgresFaultTests {
    static let now = RunQueueTests.now

    @Test("PostgreSQL restarted while runs are queued and claimed: the pool reconnects and no run is lost")
    func serverRestart() async throws {
        let cluster = try PrivateCluster()
        defer { cluster.remove() }
        let url = try PostgresAdmin.createDatabase("restart_test", on: cluster.url)
        let store = try PostgresRunStore(url: url, connections: 2)
        for index in 0..<5 { _ = try store.enqueue(RunQueueTests.queued("before\(index)")) }
        #expect(try store.claimRun(worker: "w1", now: Self.now, lease: 30) != nil)
        // A writer keeps queueing while the server goes down and comes back.
        let writer = Task.detached { () -> (stored: [Int64], failed: Int) in
            var stored: [Int64] = []
            var failed = 0
            for index in 0..<40 {
                do {
                    if let id = try store.enqueue(RunQueueTests.queued("during\(index)")).id { stored.append(id) }
                } catch {
                    failed += 1
                }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            return (stored, failed)
        }
        try await Task.sleep(nanoseconds: 150_000_000)
        try cluster.restart()
        let (stored, failed) = await writer.value
        // Only a COMMIT in flight at the moment of the shutdown can fail (its outcome is unknown, so it is not
        // retried); everything that returned an id is there.
        #expect(failed <= 1)
        #expect(stored.count + failed == 40)
        let runs = try store.runs(limit: 100)
        #expect(Set(stored).isSubset(of: Set(runs.compactMap(\.id))))
        #expect(runs.filter { $0.gitCommit?.hasPrefix("before") == true }.count == 5)
        #expect(try store.runCounts()[.running] == 1)
        #expect(try store.claimRun(worker: "w2", now: Self.now, lease: 30) != nil)
    }

    @Test("a run queued by another server wakes this one's workers through LISTEN/NOTIFY")
    func notifications() throws {
        let url = try PostgresTestDatabase.create()
        let listening = try PostgresRunStore(url: url, connections: 1)
        let otherServer = try PostgresRunStore(url: url, connections: 1)
        let rings = Rings()
        let listener = QueueListener(store: listening) { rings.ring() }
        defer { listener.stop() }
        #expect(listener.waitUntilListening(seconds: 10))
        _ = try otherServer.enqueue(RunQueueTests.queued("c1"))
        _ = try otherServer.recordDelivery(RunQueueTests.delivery("d1"), queue: [RunQueueTests.queued("c2")])
        let deadline = Date().addingTimeInterval(5)
        while rings.count < 2 && Date() < deadline { usleep(10_000) }
        #expect(rings.count == 2)
        // A transaction that queues nothing notifies nobody.
        _ = try otherServer.recordDelivery(RunQueueTests.delivery("d1"), queue: [RunQueueTests.queued("c2")])
        usleep(200_000)
        #expect(rings.count == 2)
    }
}

/// Counts notifications.
final class Rings: @unchecked Sendable {
    private let lock = NSLock()
    private var rung = 0

    func ring() {
        lock.lock()
        rung += 1
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return rung
    }
}
