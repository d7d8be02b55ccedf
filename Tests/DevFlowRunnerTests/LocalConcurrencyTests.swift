import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

/// Local `devflow run` honours `concurrency:` through the store it shares with other runs and the server: a second
/// run of the group waits, a third replaces the waiting second, and `cancel_in_progress` stops the running one.
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct LocalConcurrencyTests {
    /// A pipeline whose one step writes `started-N` and waits for `release-N` (N is the run number).
    static func pipeline(cancelInProgress: Bool) -> String {
        RunCommandTests.header + """
            concurrency: {group: "deploy-${{ git.branch }}", cancel_in_progress: \(cancelInProgress)}
            steps:
              deploy:
                run: touch started-$DEVFLOW_RUN_ID; while [ ! -f release-$DEVFLOW_RUN_ID ]; do sleep 0.05; done
            """
    }

    static func output(_ pipe: Pipe) -> String {
        String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    static func launch(_ directory: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtDevflow)
        process.arguments = ["run", "--db", "\(directory)/db.sqlite", "--branch", "main"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }

    /// Waits until run `id` has the status `status` in the store.
    static func waitForStatus(_ status: RunStatus, run id: Int64, in directory: String) throws -> Bool {
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try store.run(id)?.status == status { return true }
            usleep(20_000)
        }
        return false
    }

    @Test func aSecondRunWaitsAndAThirdReplacesIt() throws {
        let directory = try RunCommandTests.workspace(Self.pipeline(cancelInProgress: false))
        let (first, firstOutput) = try Self.launch(directory)
        #expect(RunCommandTests.waitFor("\(directory)/started-1"))
        let (second, secondOutput) = try Self.launch(directory)
        #expect(try Self.waitForStatus(.queued, run: 2, in: directory))
        let (third, thirdOutput) = try Self.launch(directory)
        // The third supersedes the waiting second, which ends at once without running anything.
        second.waitUntilExit()
        #expect(second.terminationStatus == 130)
        #expect(Self.output(secondOutput).contains("run 2 cancelled: superseded by run 3"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/started-3"), "the third overlapped the first")
        FileManager.default.createFile(atPath: "\(directory)/release-1", contents: nil)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(RunCommandTests.waitFor("\(directory)/started-3"))
        FileManager.default.createFile(atPath: "\(directory)/release-3", contents: nil)
        third.waitUntilExit()
        #expect(third.terminationStatus == 0)
        #expect(Self.output(thirdOutput).contains("run 3 waits for run 1 of concurrency group 'deploy-main' to finish"))
        _ = Self.output(firstOutput)
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        #expect(try store.run(1)?.status == .succeeded)
        #expect(try store.run(2)?.status == .cancelled)
        #expect(try store.run(2)?.statusReason == "superseded by run 3")
        #expect(try store.nodes(run: 2).map(\.status) == [.cancelled])
        #expect(try store.attempts(run: 2).isEmpty)
        #expect(try store.run(3)?.status == .succeeded)
        // Never two at once: the third started after the first finished.
        let firstEnd = try #require(try store.run(1)?.finishedAt)
        let thirdStart = try #require(try store.attempts(run: 3).first?.startedAt)
        #expect(thirdStart >= firstEnd)
    }

    @Test func cancelInProgressStopsTheRunningRun() throws {
        let directory = try RunCommandTests.workspace(Self.pipeline(cancelInProgress: true))
        let (first, firstOutput) = try Self.launch(directory)
        #expect(RunCommandTests.waitFor("\(directory)/started-1"))
        let (second, _) = try Self.launch(directory)
        first.waitUntilExit()
        #expect(first.terminationStatus == 130, "\(Self.output(firstOutput))")
        #expect(RunCommandTests.waitFor("\(directory)/started-2"))
        FileManager.default.createFile(atPath: "\(directory)/release-2", contents: nil)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        #expect(try store.run(1)?.status == .cancelled)
        #expect(try store.run(1)?.statusReason == "superseded by run 2")
        #expect(try store.nodes(run: 1).map(\.status) == [.cancelled])
        #expect(try store.run(2)?.status == .succeeded)
    }
}
