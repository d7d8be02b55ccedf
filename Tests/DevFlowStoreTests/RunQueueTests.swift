import DevFlowStore
import DevFlowStorePostgres
import DevFlowStoreTestSupport
import Foundation
import Testing

/// The durable queue on every backend: deliveries stored once, claims by one worker at a time, leases, the rescuer,
/// concurrency groups, and many processes opening one new database at once.
@Suite("run queue")
struct RunQueueTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func queued(_ commit: String, group: String? = nil) -> RunRecord {
        RunRecord(
            id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: "{}", gitCommit: commit,
            gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now, startedAt: nil, finishedAt: nil,
            pid: 0, host: "", heartbeatAt: now, resumedFrom: nil, repository: "acme/app", ref: "refs/heads/main",
            concurrencyGroup: group)
    }

    static func delivery(_ key: String) -> DeliveryRecord {
        DeliveryRecord(
            forge: "github", deliveryKey: key, eventName: "push", repository: "acme/app", receivedAt: now,
            outcome: .queued, reason: nil, payload: "{}")
    }

    @Test("a delivery key is stored once; the redelivery names the first run", arguments: StoreBackend.available)
    func deduplication(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let first = try store.recordDelivery(Self.delivery("abc"), queue: [Self.queued("c1")])
        guard case .stored(_, let runs) = first else { Issue.record("not stored: \(first)"); return }
        let again = try store.recordDelivery(Self.delivery("abc"), queue: [Self.queued("c1")])
        #expect(again == .duplicate(delivery: 1, runs: runs))
        #expect(try store.queueDepth() == 1)
        #expect(try store.deliveries(limit: 5).count == 1)
    }

    @Test(
        "one worker claims a run; the lease is renewed; an expired lease is rescued as a resuming run",
        arguments: StoreBackend.available)
    func claimsAndLeases(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let queued = try store.enqueue(Self.queued("c1"))
        let claimed = try #require(try store.claimRun(worker: "w1", now: Self.now, lease: 30))
        #expect(claimed.id == queued.id && claimed.status == .running && claimed.workerId == "w1")
        #expect(try store.claimRun(worker: "w2", now: Self.now, lease: 30) == nil)
        #expect(try store.renewLease(run: claimed.id!, worker: "w1", until: Self.now.addingTimeInterval(60)) != nil)
        #expect(try store.renewLease(run: claimed.id!, worker: "w2", until: Self.now.addingTimeInterval(60)) == nil)
        try store.prepare(
            run: claimed.id!, pipeline: "ci", graphHash: "h", graphJSON: "{}", nodes: ["a"], group: nil,
            cancelInProgress: false, commit: "c1", now: Self.now)
        #expect(try store.rescueExpiredLeases(now: Self.now.addingTimeInterval(30), isDead: { _ in false }).isEmpty)
        let rescued = try store.rescueExpiredLeases(now: Self.now.addingTimeInterval(61), isDead: { _ in false })
        #expect(rescued == [claimed.id!])
        #expect(try store.run(claimed.id!)?.status == .interrupted)
        let resumed = try #require(try store.claimRun(worker: "w2", now: Self.now.addingTimeInterval(62), lease: 30))
        #expect(resumed.resumedFrom == claimed.id && resumed.gitCommit == "c1")
        // The worker that lost its lease can no longer renew it (it stops the run's steps).
        #expect(try store.renewLease(run: claimed.id!, worker: "w1", until: Self.now.addingTimeInterval(90)) == nil)
    }

    @Test(
        "leases renewed together: each run its worker holds, with a stop request; a lost run is missing",
        arguments: StoreBackend.available)
    func leasesRenewedTogether(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        for index in 0..<4 { _ = try store.enqueue(Self.queued("c\(index)")) }
        let claimed = try (0..<4).map { index in
            try #require(try store.claimRun(worker: "p:1:\(index)", now: Self.now, lease: 30))
        }
        try store.requestCancel(run: claimed[1].id!, reason: "stopped by ada", at: Self.now)
        // The third was taken over: its lease ran out and a rescuer re-queued it.
        try store.renewLease(run: claimed[2].id!, worker: "p:1:2", until: Self.now)
        #expect(
            try store.rescueExpiredLeases(now: Self.now.addingTimeInterval(1), isDead: { $0 == "p:1:2" })
                == [claimed[2].id!])
        let held =
            claimed.enumerated().map { HeldLease(run: $1.id!, worker: "p:1:\($0)") }
            + [HeldLease(run: claimed[3].id!, worker: "p:2:3")]
        let states = try store.renewLeases(held, until: Date().addingTimeInterval(60))
        #expect(Set(states.keys) == [claimed[0].id!, claimed[1].id!, claimed[3].id!])
        #expect(states[claimed[0].id!]?.cancelRequested == nil)
        #expect(states[claimed[1].id!]?.cancelRequested == "stopped by ada")
        #expect(try store.renewLeases([], until: Date()).isEmpty)
        // Renewed: a rescue at the old lease's end leaves them alone.
        let rescued = try store.rescueExpiredLeases(now: Date().addingTimeInterval(31), isDead: { _ in false })
        #expect(!rescued.contains(claimed[0].id!) && !rescued.contains(claimed[3].id!))
    }

    @Test("the stop requests and pauses of 1,200 runs in one call, with no write", arguments: StoreBackend.available)
    func controlsReadTogether(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        var ids: [Int64] = []
        for index in 0..<1_200 { ids.append(try store.enqueue(Self.queued("c\(index)")).id!) }
        let claimed = try #require(try store.claimRun(worker: "p:1:0", now: Self.now, lease: 30))
        try store.requestCancel(run: claimed.id!, reason: "stopped by ada", at: Self.now)
        #expect(try store.pause(run: ids[700], at: Self.now))
        let controls = try store.controls(runs: ids + [999_999])
        #expect(controls.count == 1_200)
        #expect(controls[claimed.id!]?.cancelRequested == "stopped by ada")
        #expect(controls[ids[700]]?.paused == true && controls[ids[701]] == RunControl())
        #expect(try store.controls(runs: []).isEmpty)
        #expect(try store.run(ids[5])?.heartbeatAt == Self.now)
    }

    @Test("a dead worker's runs are rescued at once, before their lease ends", arguments: StoreBackend.available)
    func deadWorker(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        _ = try store.enqueue(Self.queued("c1"))
        let claimed = try #require(try store.claimRun(worker: "host:1:0", now: Self.now, lease: 30))
        #expect(try store.rescueExpiredLeases(now: Self.now, isDead: { $0 == "host:1:0" }) == [claimed.id!])
        #expect(try store.queueDepth() == 1)
    }

    @Test(
        "a batch claims one run per worker in queue order, never two of one group, and stops when none is runnable",
        arguments: StoreBackend.available)
    func batchedClaims(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let grouped = try store.enqueue(Self.queued("c1", group: "ci-main"))
        _ = try store.enqueue(Self.queued("c2", group: "ci-main"))
        let free = try store.enqueue(Self.queued("c3"))
        let other = try store.enqueue(Self.queued("c4", group: "ci-dev"))
        let workers = ["h:1:0", "h:1:1", "h:1:2", "h:1:3"]
        let claimed = try store.claimRuns(workers: workers, labels: [], now: Self.now, lease: 30)
        #expect(claimed.map(\.id) == [grouped.id, free.id, other.id])
        #expect(claimed.map(\.workerId) == ["h:1:0", "h:1:1", "h:1:2"])
        #expect(claimed.allSatisfy { $0.status == .running && $0.claims == 1 })
        for run in claimed {
            let renewed = try store.renewLease(
                run: run.id!, worker: run.workerId!, until: Self.now.addingTimeInterval(60))
            #expect(renewed != nil)
        }
        // The second run of ci-main waits for the first; nothing else is runnable.
        #expect(try store.claimRuns(workers: workers, labels: [], now: Self.now, lease: 30).isEmpty)
        #expect(try store.claimRuns(workers: [], labels: [], now: Self.now, lease: 30).isEmpty)
        try store.finishRun(run: grouped.id!, status: .succeeded, at: Self.now)
        let next = try store.claimRuns(workers: ["h:1:0"], labels: [], now: Self.now, lease: 30)
        #expect(next.map(\.gitCommit) == ["c2"])
    }

    @Test(
        "concurrency groups: one running run per group; a newer run supersedes older waiting ones",
        arguments: StoreBackend.available)
    func groups(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        let first = try store.enqueue(Self.queued("c1", group: "ci-main"))
        let running = try #require(try store.claimRun(worker: "w1", now: Self.now, lease: 30))
        #expect(running.id == first.id)
        let second = try store.enqueue(Self.queued("c2", group: "ci-main"))
        let third = try store.enqueue(Self.queued("c3", group: "ci-main"))
        let other = try store.enqueue(Self.queued("c4", group: "ci-dev"))
        // The group is busy: the next claim takes the other group's run.
        #expect(try store.claimRun(worker: "w2", now: Self.now, lease: 30)?.id == other.id)
        try store.prepare(
            run: third.id!, pipeline: "ci", graphHash: "h", graphJSON: "{}", nodes: [], group: "ci-main",
            cancelInProgress: true, commit: "c3", now: Self.now)
        #expect(try store.run(second.id!)?.status == .cancelled)
        #expect(try store.run(second.id!)?.statusReason == "superseded by run \(third.id!)")
        #expect(
            try store.renewLease(run: first.id!, worker: "w1", until: Self.now)?.cancelRequested
                == "superseded by run \(third.id!)")
        #expect(try store.groupBusy("ci-main", besides: third.id!))
        try store.finishRun(run: first.id!, status: .cancelled, at: Self.now)
        #expect(try store.run(first.id!)?.statusReason == "superseded by run \(third.id!)")
        #expect(try store.claimRun(worker: "w1", now: Self.now, lease: 30)?.id == third.id)
    }

    @Test(
        "two runs of a group claimed at once: the admission is atomic, and the older one never runs after the newer",
        arguments: StoreBackend.available)
    func groupAdmissionIsAtomic(_ backend: StoreBackend) throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let store = opened.store
        func prepare(_ id: Int64) throws -> GroupAdmission {
            try store.prepare(
                run: id, pipeline: "ci", graphHash: "h", graphJSON: "{}", nodes: ["a"], group: "g",
                cancelInProgress: false, commit: "c", now: Self.now)
        }
        let older = try store.enqueue(Self.queued("c1"))
        let newer = try store.enqueue(Self.queued("c2"))
        #expect(try store.claimRun(worker: "w1", now: Self.now, lease: 30)?.id == older.id)
        #expect(try store.claimRun(worker: "w2", now: Self.now, lease: 30)?.id == newer.id)
        // The newer is prepared first: the older, claimed but not yet in the group, does not block it.
        #expect(try prepare(newer.id!) == .admitted)
        #expect(try prepare(older.id!) == .cancelled("superseded by run \(newer.id!)"))
        #expect(try store.run(older.id!)?.status == .cancelled)
        #expect(try store.nodes(run: older.id!).map(\.status) == [.cancelled])
        // A third waits behind the running newer one, and a local waiting run is never claimed by a worker.
        let third = try store.enqueue(Self.queued("c3"))
        #expect(try store.claimRun(worker: "w1", now: Self.now, lease: 30)?.id == third.id)
        #expect(try prepare(third.id!) == .busy(newer.id!))
        try store.release(run: third.id!, worker: "w1")
        var local = Self.queued("c4", group: "h")
        local.workerId = StoreHost.localWorker
        let waiting = try store.enqueue(local)
        #expect(try store.claimRun(worker: "w1", now: Self.now, lease: 30) == nil)
        #expect(try store.enterGroup(run: waiting.id!, group: "h", cancelInProgress: false, now: Self.now) == .admitted)
        #expect(try store.run(waiting.id!)?.status == .running)
    }

    @Test("eight openers of one new database file at once all succeed (the migrations do not race)")
    func concurrentMigrations() async throws {
        for round in 0..<4 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-mig-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("new.sqlite").path
            let failures = await Self.failures(ofEight: { _ = try SQLiteRunStore(path: path) })
            #expect(failures.isEmpty, "round \(round): \(failures)")
        }
    }

    @Test(
        "eight servers migrating one new PostgreSQL database at once: one applies each step, the others wait",
        .enabled(if: StoreBackend.available.contains(.postgres)))
    func concurrentPostgresMigrations() async throws {
        let url = try PostgresTestDatabase.create()
        let failures = await Self.failures(ofEight: { _ = try PostgresRunStore(url: url, connections: 1) })
        #expect(failures.isEmpty, "\(failures)")
        let store = try PostgresRunStore(url: url, connections: 1)
        #expect(try store.queueDepth() == 0)
    }

    @Test(
        "workers racing on separate connections: every queued run is claimed exactly once, none twice",
        arguments: StoreBackend.shared)
    func racingClaims(_ backend: StoreBackend) async throws {
        let opened = try backend.open()
        defer { opened.remove() }
        let runs = 200
        for index in 0..<runs { _ = try opened.store.enqueue(Self.queued("c\(index)")) }
        let workers = try (0..<4).map { _ in try backend.reopen(opened) }
        let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask {
                    var mine: [Int64] = []
                    while let run = try worker.claimRun(worker: "w\(index)", now: Self.now, lease: 30) {
                        mine.append(run.id ?? -1)
                    }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await mine in group { all += mine }
            return all
        }
        #expect(claims.count == runs)
        #expect(Set(claims).count == runs)
        #expect(try opened.store.queueDepth() == 0)
        #expect(try opened.store.runCounts()[.running] == runs)
    }

    /// Runs `open` eight times at once; returns the errors.
    static func failures(ofEight open: @escaping @Sendable () throws -> Void) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        try open()
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }
}
