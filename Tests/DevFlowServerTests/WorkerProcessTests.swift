import DevFlowServer
import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

/// `devflow worker` as separate processes beside `devflow serve` on one store: a run whose pipeline asks for a
/// label the server's workers lack waits, a worker with the label runs it, and when that worker is killed another
/// resumes the run without running its finished step again.
@Suite("devflow worker processes", .serialized)
struct WorkerProcessTests {
    static let pipeline = """
        version: 1
        name: render
        on: {push: {branches: [main]}}
        runs_on: [gpu]
        steps:
          first:
            run: echo "$DEVFLOW_SERVER ran" >> "$MARKS/first"
          second:
            needs: [first]
            run: |
              echo $$ >> "$MARKS/groups"
              echo started >> "$MARKS/second"
              if [ "$(wc -l < "$MARKS/second")" -gt 1 ]; then exit 0; fi
              sleep 60
        """

    /// Starts `devflow worker` with its own data directory.
    static func startWorker(_ setup: ServerProcessTests.Setup, name: String, labels: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcessTests.devflow)
        process.arguments = [
            "worker", "--config", setup.directory + "/devflow-server.yml", "--data", setup.directory + "/\(name)",
            "--labels", labels, "--slots", "1",
        ]
        process.environment = [
            "HOOK_SECRET": setup.secret, "MARKS": setup.directory + "/marks", "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": setup.directory,
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// `devflow workers list --format json` on the setup's store.
    static func listed(_ setup: ServerProcessTests.Setup) throws -> [WorkerRepresentation] {
        let output = WorkerCommands.list(database: setup.directory + "/devflow.sqlite", format: "json")
        #expect(output.code == 0, "\(output.errors)")
        return try JSONDecoder().decode([WorkerRepresentation].self, from: Data(output.text.utf8))
    }

    @Test("a gpu run waits for a gpu worker; killed mid-run, another gpu worker resumes it and reuses the first step")
    func labelsAndTakeover() async throws {
        let setup = try ServerProcessTests.Setup(pipeline: Self.pipeline)
        try await setup.start()
        var workers: [Process] = []
        defer {
            for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) }
            for group in setup.marks("groups").compactMap({ Int32($0) }) { kill(-group, SIGKILL) }
        }
        let run = try await setup.push()
        try await setup.until(30, "the run to wait for a gpu worker") {
            let record = try setup.store().run(run)
            return record?.status == .queued && record?.statusReason?.contains("no registered worker has them") == true
        }
        #expect(try setup.store().run(run)?.labels == #"["gpu"]"#)
        let server = try #require(try Self.listed(setup).first)
        #expect(server.kind == .server && server.state == .online && !server.labels.contains("gpu"))

        let first = try Self.startWorker(setup, name: "worker-a", labels: "gpu")
        workers.append(first)
        try await setup.until(60, "worker a to run the second step") { setup.marks("second").count == 1 }
        let claimed = try #require(try setup.store().run(run))
        #expect(claimed.status == .running && claimed.workerId?.contains(":\(first.processIdentifier):") == true)
        let listed = try Self.listed(setup)
        let a = try #require(listed.first { $0.pid == first.processIdentifier })
        #expect(a.kind == .worker && a.labels.contains("gpu") && a.runningRuns == [run] && a.slots == 1)

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        for group in setup.marks("groups").compactMap({ Int32($0) }) { kill(-group, SIGKILL) }
        let second = try Self.startWorker(setup, name: "worker-b", labels: "gpu,linux")
        workers.append(second)
        var resumed: RunRecord?
        try await setup.until(60, "the resumed run to finish") {
            resumed = try setup.store().runs(limit: 10).first { $0.resumedFrom == run }
            return resumed?.status.isFinished == true
        }
        let store = try setup.store()
        #expect(try store.run(run)?.status == .interrupted)
        #expect(resumed?.status == .succeeded)
        #expect(resumed?.workerId?.contains(":\(second.processIdentifier):") == true)
        let nodes = try store.nodes(run: resumed!.id!)
        #expect(nodes.first { $0.nodeId == "first" }?.status == .reused)
        #expect(nodes.first { $0.nodeId == "second" }?.status == .succeeded)
        #expect(setup.marks("first") == ["1 ran"], "the finished step ran again")

        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let b = try #require(try Self.listed(setup).first { $0.pid == second.processIdentifier })
        #expect(b.state == .stopped && b.stoppedAt != nil)
        kill(setup.server!.processIdentifier, SIGTERM)
        setup.server!.waitUntilExit()
    }
}
