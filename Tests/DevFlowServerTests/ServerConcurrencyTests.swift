import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Concurrency groups on the server, through HTTP with real pushes: one run per group at a time, a newer waiting run
/// replaces an older waiting one, and `cancel_in_progress` stops the running run's processes.
@Suite("server concurrency groups", .serialized)
struct ServerConcurrencyTests {
    /// A pipeline whose step records its shell's pid and waits for `release-N` in `marks` (N is the run id).
    static func pipeline(marks: String, cancelInProgress: Bool) -> String {
        """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
        concurrency: {group: "deploy-${{ git.branch }}", cancel_in_progress: \(cancelInProgress)}
        steps:
          deploy:
            run: >-
              echo $$ > \(marks)/pid-$DEVFLOW_RUN_ID; touch \(marks)/started-$DEVFLOW_RUN_ID;
              while [ ! -f \(marks)/release-$DEVFLOW_RUN_ID ]; do sleep 0.05; done
        """
    }

    static func marks() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-marks-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a second push waits, a third replaces the waiting second, and none overlaps the first")
    func waitingRunsAreReplaced() async throws {
        let marks = try Self.marks()
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let fixture = try ServerFixture(pipeline: Self.pipeline(marks: marks, cancelInProgress: false))
        let head = try fixture.head()
        try await buildApplication(fixture.context).test(.live) { client in
            let first = try await fixture.push(client, delivery: "d-1", after: head)
            try await fixture.waitUntil("run \(first) started") {
                FileManager.default.fileExists(atPath: "\(marks)/started-\(first)")
            }
            let second = try await fixture.push(client, delivery: "d-2", after: head)
            try await fixture.waitUntil("run \(second) waits in its group") {
                let run = try fixture.context.store.run(second)
                return run?.status == .queued && run?.concurrencyGroup == "deploy-main"
            }
            let third = try await fixture.push(client, delivery: "d-3", after: head)
            try await fixture.waitUntil("run \(second) superseded") {
                try fixture.context.store.run(second)?.status == .cancelled
            }
            #expect(try fixture.context.store.run(second)?.statusReason == "superseded by run \(third)")
            #expect(!FileManager.default.fileExists(atPath: "\(marks)/started-\(third)"), "run \(third) overlapped")
            FileManager.default.createFile(atPath: "\(marks)/release-\(first)", contents: nil)
            #expect(try await fixture.waitForRun(first).status == .succeeded)
            try await fixture.waitUntil("run \(third) started") {
                FileManager.default.fileExists(atPath: "\(marks)/started-\(third)")
            }
            FileManager.default.createFile(atPath: "\(marks)/release-\(third)", contents: nil)
            #expect(try await fixture.waitForRun(third).status == .succeeded)
            #expect(try fixture.context.store.attempts(run: second).isEmpty)
            let firstEnd = try #require(try fixture.context.store.run(first)?.finishedAt)
            let thirdStart = try #require(try fixture.context.store.attempts(run: third).first?.startedAt)
            #expect(thirdStart >= firstEnd)
        }
    }

    @Test("cancel_in_progress: a new push stops the running run, kills its step, and records why")
    func cancelInProgress() async throws {
        let marks = try Self.marks()
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let fixture = try ServerFixture(pipeline: Self.pipeline(marks: marks, cancelInProgress: true))
        let head = try fixture.head()
        try await buildApplication(fixture.context).test(.live) { client in
            let first = try await fixture.push(client, delivery: "d-1", after: head)
            try await fixture.waitUntil("run \(first) started") {
                FileManager.default.fileExists(atPath: "\(marks)/started-\(first)")
            }
            let pidText = try String(contentsOfFile: "\(marks)/pid-\(first)", encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            let second = try await fixture.push(client, delivery: "d-2", after: head)
            let cancelled = try await fixture.waitForRun(first)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.statusReason == "superseded by run \(second)")
            #expect(try fixture.context.store.nodes(run: first).map(\.status) == [.cancelled])
            try await fixture.waitUntil("the first run's step is gone") { kill(pid, 0) != 0 }
            try await fixture.waitUntil("run \(second) started") {
                FileManager.default.fileExists(atPath: "\(marks)/started-\(second)")
            }
            FileManager.default.createFile(atPath: "\(marks)/release-\(second)", contents: nil)
            #expect(try await fixture.waitForRun(second).status == .succeeded)
        }
    }
}

extension ServerFixture {
    /// Sends a signed GitHub push of `after` and returns the run it queued.
    func push<Client: TestClientProtocol>(_ client: Client, delivery: String, after: String) async throws -> Int64 {
        let body = pushPayload(after: after)
        let response = try await client.execute(
            uri: "/hooks/github", method: .post, headers: headers(delivery: delivery, body: body),
            body: ByteBuffer(text: body))
        let answer = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        guard response.status == .accepted, let run = (answer?["run"] as? NSNumber)?.int64Value else {
            throw FixtureError("delivery \(delivery): \(response.status) \(String(buffer: response.body))")
        }
        return run
    }

    /// Polls `condition` every 20 ms for at most `seconds`; throws with `what` when it never holds.
    func waitUntil(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw FixtureError("timed out after \(seconds)s waiting until \(what)")
    }
}
