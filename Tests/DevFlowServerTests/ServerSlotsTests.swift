import ChatCompletionsTestServer
import DevFlowServer
import DevFlowStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Slots and processes are separate bounds: a run waiting on a model holds a slot but no process, so every slot's
/// run is in flight at once while the step processes of all of them take turns.
@Suite("server slots and processes", .serialized)
struct ServerSlotsTests {
    /// Each hook step takes `marks/lock` with `mkdir` (which fails when another process holds it), so a step fails
    /// if two step processes ever run at once; the llm step between them waits on the chat server.
    static func pipeline(marks: String, endpoint: String) -> String {
        """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
        steps:
          build:
            run: mkdir \(marks)/lock && sleep 0.1 && rmdir \(marks)/lock
          review:
            needs: [build]
            agent: llm
            with: {endpoint: "\(endpoint)", model: test, scope: all, max_retries: 0, timeout: 120}
          report:
            needs: [review]
            run: mkdir \(marks)/lock && sleep 0.1 && rmdir \(marks)/lock
        """
    }

    @Test("eight slots, one process: all eight runs wait on the model at once, their step processes never overlap")
    func slotsWaitWithoutProcesses() async throws {
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-slots-\(UUID())").path
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let answer = ScriptedAnswer.completion(#"{"findings": [], "summary": "fine"}"#)
        let chat = try await ChatCompletionsServer.start([], fallback: answer)
        // No review is answered before all eight have asked: the runs finish only if all eight are in flight at once.
        chat.hold(untilRequests: 8)
        let fixture = try ServerFixture(
            pipeline: Self.pipeline(marks: marks, endpoint: chat.endpoint), workers: 8,
            server: { $0.processes = 1 })
        #expect(fixture.context.processes.limit == 1)
        let head = try fixture.head()
        try await buildApplication(fixture.context).test(.live) { client in
            var runs: [Int64] = []
            for index in 0..<8 { runs.append(try await fixture.push(client, delivery: "d-\(index)", after: head)) }
            for run in runs { #expect(try await fixture.waitForRun(run).status == .succeeded) }
            var reviews: [AttemptRecord] = []
            for run in runs { reviews += try fixture.context.store.attempts(run: run).filter { $0.nodeId == "review" } }
            #expect(reviews.count == 8 && reviews.allSatisfy { $0.status == .succeeded })
        }
        await chat.stop()
        #expect(chat.requests.count == 8)
    }
}
