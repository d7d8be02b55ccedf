import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Schedules fire on the default branch head once per due slot, also across restarts; manual runs resolve their ref.
@Suite("schedules and manual runs", .serialized)
struct SchedulerTests {
    static let pipeline = """
        version: 1
        name: nightly
        on:
          schedule: [{cron: "0 * * * *"}]
          manual: {}
        steps:
          report:
            run: echo "event=$DEVFLOW_EVENT"
        """

    @Test("a new schedule records its slot; a due slot fires once; missed slots after a restart fire once")
    func firesOnce() throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let start = Date(timeIntervalSince1970: 1_796_206_020)  // 10:07 UTC
        let scheduler = Scheduler(context: fixture.context, logger: .init(label: "test"))
        #expect(scheduler.tick(now: start).isEmpty)  // first sight: the 10:00 slot is the baseline
        #expect(scheduler.tick(now: start.addingTimeInterval(600)).isEmpty)  // 10:17: nothing new is due
        let fired = scheduler.tick(now: start.addingTimeInterval(3600))  // 11:07: the 11:00 slot
        #expect(fired.count == 1)
        #expect(scheduler.tick(now: start.addingTimeInterval(3700)).isEmpty)
        // The server was down from 11:10 to 14:30: one run at start, not three.
        let restarted = Scheduler(context: fixture.context, logger: .init(label: "test"))
        #expect(restarted.tick(now: start.addingTimeInterval(4 * 3600 + 1400)).count == 1)
        let firedRun = try #require(fired.first)
        let run = try #require(try fixture.context.store.run(firedRun))
        #expect(run.gitCommit == (try fixture.head()) && run.gitBranch == "main" && run.status == .queued)
        #expect(QueuedEvent.decode(run.event)?.kind == "schedule")
    }

    @Test("a queued manual run with no commit runs the ref's head")
    func manualRun() async throws {
        let fixture = try ServerFixture(pipeline: Self.pipeline)
        let now = Date()
        var event = QueuedEvent(kind: "manual", branch: "main", summary: "manual run of refs/heads/main")
        event.fetchRef = "refs/heads/main"
        let queued = try fixture.context.queue.enqueue(
            RunRecord(
                id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: event.json,
                gitCommit: nil, gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now, startedAt: nil,
                finishedAt: nil, pid: 0, host: "", heartbeatAt: now, resumedFrom: nil, repository: "acme/app",
                ref: "refs/heads/main"))
        let app = buildApplication(fixture.context)
        try await app.test(.live) { _ in
            let run = try await fixture.waitForRun(queued.id!)
            #expect(run.status == .succeeded, "\(run)")
            #expect(run.gitCommit == (try fixture.head()))
            let logs = try fixture.context.store.logs(run: queued.id!, node: "report").map(\.text).joined()
            #expect(logs.contains("event=manual"))
        }
    }
}
