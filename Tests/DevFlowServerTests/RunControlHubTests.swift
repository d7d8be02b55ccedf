import DevFlowStore
import DevFlowStoreTestSupport
import Foundation
import Testing

@testable import DevFlowServer

/// The server's runs learn stop requests and pauses from one read per tick for all of them.
@Suite struct RunControlHubTests {
    /// The latest control state a follower saw.
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var latest: RunControl?
        func set(_ control: RunControl) { lock.withLock { latest = control } }
        var value: RunControl? { lock.withLock { latest } }
    }

    @Test("two followed runs: a stop request reaches one, a pause the other; unfollowed, the hub stops reading")
    func followersHearTheirRun() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TestStore.open(sqlitePath: directory.appendingPathComponent("q.sqlite").path)
        let now = Date()
        func queued(_ commit: String) -> RunRecord {
            RunRecord(
                id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: "{}",
                gitCommit: commit, gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now,
                startedAt: nil, finishedAt: nil, pid: 0, host: "", heartbeatAt: now, resumedFrom: nil,
                repository: "acme/app", ref: "refs/heads/main")
        }
        let first = try store.enqueue(queued("c1")).id!
        let second = try store.enqueue(queued("c2")).id!
        let hub = RunControlHub(store: store, seconds: 0.02)
        let seenFirst = Seen()
        let seenSecond = Seen()
        let tokens = [hub.follow(run: first, update: seenFirst.set), hub.follow(run: second, update: seenSecond.set)]
        _ = try store.claimRun(worker: "p:1:0", now: now, lease: 30)
        try store.requestCancel(run: first, reason: "stopped by ada", at: now)
        #expect(try store.pause(run: second, at: now))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, seenFirst.value?.cancelRequested == nil || seenSecond.value?.paused != true {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(seenFirst.value == RunControl(cancelRequested: "stopped by ada", paused: false))
        #expect(seenSecond.value == RunControl(cancelRequested: nil, paused: true))
        for token in tokens { hub.unfollow(token) }
        #expect(hub.count == 0)
    }
}
