import DevFlowStore
import DevFlowStorePostgres
import DevFlowStoreTestSupport
import Foundation
import Testing

/// Workers on every backend: registration and heartbeats, runs that ask for worker labels, and leases judged by
/// the database's clock when a worker's clock is wrong.
@Suite("workers")
struct WorkerRegistryTests {
    static func worker(_ id: String, labels: [String], at: Date, kind: WorkerKind = .worker) -> WorkerRecord {
        WorkerRecord(
            id: id, host: "h", pid: 1, kind: kind, labels: labels, slots: 2, version: "test", startedAt: at)
    }

    @Test(
        "workers register, heartbeat, show what they hold, and are lost or stopped", arguments: StoreBackend.available)
    func registry(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let now = Date()
        try store.registerWorker(Self.worker("a:1", labels: ["linux", "gpu", "linux"], at: now))
        try store.registerWorker(Self.worker("b:2", labels: ["linux"], at: now.addingTimeInterval(1), kind: .server))
        #expect(try store.workerHeartbeat(id: "a:1", at: now.addingTimeInterval(20)))
        #expect(try !store.workerHeartbeat(id: "nobody:9", at: now))
        _ = try store.enqueue(RunQueueTests.queued("c1"))
        let run = try #require(try store.claimRun(worker: "a:1:0", now: now, lease: 30))

        let listed = try store.workers(now: now.addingTimeInterval(25))
        #expect(listed.map(\.worker.id) == ["b:2", "a:1"])
        let a = try #require(listed.last)
        #expect(a.worker.labelList == ["gpu", "linux"] && a.worker.slots == 2 && a.worker.kind == .worker)
        #expect(a.state == .online && a.runningRuns == [run.id!])
        #expect(abs(a.heartbeatAge - 5) < 2)
        // b has not beaten for 24 s: still online; 40 s: lost.
        #expect(listed.first?.state == .online)
        #expect(try store.workers(now: now.addingTimeInterval(40)).first { $0.worker.id == "b:2" }?.state == .lost)
        try store.stopWorker(id: "b:2", at: now.addingTimeInterval(41))
        #expect(try store.workers(now: now.addingTimeInterval(100)).first { $0.worker.id == "b:2" }?.state == .stopped)
        // A stopped worker is shown for a day, then left out.
        #expect(try store.workers(now: now.addingTimeInterval(90_000)).map(\.worker.id) == ["a:1"])
        // Registering again (a restarted process with a reused pid) replaces the record.
        try store.registerWorker(Self.worker("a:1", labels: ["arm"], at: now.addingTimeInterval(50)))
        #expect(
            try store.workers(now: now.addingTimeInterval(50)).first { $0.worker.id == "a:1" }?.worker.labelList == [
                "arm"
            ])
    }

    @Test(
        "a run that needs labels goes only to a worker with all of them, also after a rescue",
        arguments: StoreBackend.available)
    func labels(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let now = RunQueueTests.now
        let queued = try store.enqueue(RunQueueTests.queued("c1"))
        let other = try store.enqueue(RunQueueTests.queued("c2"))
        // A worker claims it before anyone knows its labels, compiles it, and hands it back.
        let first = try #require(try store.claimRun(worker: "cpu:1:0", labels: ["linux"], now: now, lease: 30))
        #expect(first.id == queued.id)
        try store.requireLabels(
            run: first.id!, worker: "cpu:1:0", labels: ["linux", "gpu"],
            reason: "waiting for a worker with label(s) gpu")
        let waiting = try #require(try store.run(first.id!))
        #expect(waiting.status == .queued && waiting.workerId == nil)
        #expect(waiting.statusReason == "waiting for a worker with label(s) gpu")
        #expect(WorkerRecord.decodeLabels(waiting.labels) == ["gpu", "linux"])
        // The same worker now skips it and takes the next run; a worker with both labels (and more) takes it.
        #expect(try store.claimRun(worker: "cpu:1:0", labels: ["linux"], now: now, lease: 30)?.id == other.id)
        #expect(try store.claimRun(worker: "cpu:1:1", labels: ["linux"], now: now, lease: 30) == nil)
        #expect(try store.claimRun(worker: "cpu:1:1", labels: ["gpu"], now: now, lease: 30) == nil)
        let gpu = try #require(
            try store.claimRun(worker: "gpu:2:0", labels: ["gpu", "linux", "x86_64"], now: now, lease: 30))
        #expect(gpu.id == queued.id)
        // A handback by a worker that no longer holds the run changes nothing.
        try store.requireLabels(run: gpu.id!, worker: "cpu:1:0", labels: ["tpu"], reason: "stale")
        #expect(try store.run(gpu.id!)?.status == .running)
        // Rescued, the resumed run keeps asking for the same labels.
        try store.prepare(
            run: gpu.id!, pipeline: "ci", graphHash: "h", graphJSON: "{}", nodes: ["a"], group: nil,
            cancelInProgress: false, commit: "c1", now: now)
        let rescued = try store.rescueExpiredLeases(now: now.addingTimeInterval(31), isDead: { _ in false })
        #expect(rescued.contains(gpu.id!) && rescued.contains(other.id!))
        // The CPU worker gets the other run's resumption, never the one that needs a GPU.
        let cpu = try store.claimRun(worker: "cpu:1:0", labels: ["linux"], now: now.addingTimeInterval(32), lease: 30)
        #expect(cpu?.gitCommit == "c2")
        #expect(
            try store.claimRun(worker: "cpu:1:1", labels: ["linux"], now: now.addingTimeInterval(32), lease: 30) == nil)
        let resumed = try #require(
            try store.claimRun(worker: "gpu:2:0", labels: ["gpu", "linux"], now: now.addingTimeInterval(32), lease: 30))
        #expect(resumed.resumedFrom == gpu.id)
    }

    @Test(
        "a worker whose clock is an hour slow keeps its lease by the database's clock",
        .enabled(if: StoreBackend.available.contains(.postgres)))
    func skewedClock() throws {
        let opened = try StoreBackend.postgres.open()
        defer { opened.remove() }
        let skew: TimeInterval = -3600
        let slow = try PostgresRunStore(
            url: opened.location, connections: 2, clock: { Date().addingTimeInterval(skew) })
        let store = opened.store
        _ = try store.enqueue(RunQueueTests.queued("c1"))
        let claimed = try #require(
            try slow.claimRun(worker: "slow:1:0", now: Date().addingTimeInterval(skew), lease: 30))
        // By its own clock the lease ended an hour ago; by everyone's (the database's) it has 30 s left.
        #expect(try store.rescueExpiredLeases(now: Date(), isDead: { _ in false }).isEmpty)
        #expect(
            try slow.renewLease(run: claimed.id!, worker: "slow:1:0", until: Date().addingTimeInterval(skew + 30))
                != nil)
        #expect(try store.rescueExpiredLeases(now: Date().addingTimeInterval(20), isDead: { _ in false }).isEmpty)
        // Its heartbeat is judged the same way.
        try slow.registerWorker(Self.worker("slow:1", labels: [], at: Date().addingTimeInterval(skew)))
        let listed = try #require(try store.workers(now: Date()).first)
        #expect(listed.state == .online && listed.heartbeatAge < 5)
        // Once the lease really ends, the run is rescued.
        #expect(
            try store.rescueExpiredLeases(now: Date().addingTimeInterval(31), isDead: { _ in false }) == [claimed.id!])
    }
}
