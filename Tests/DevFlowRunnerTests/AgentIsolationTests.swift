import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

@testable import DevFlowRunner

/// Built-in agents run in a child process of `devflow`: a child killed by SIGKILL, one that traps, one that allocates
/// without bound and one that hangs are step errors, and the run goes on and is recorded as finished. The faults are
/// the test-only `DEVFLOW_AGENT_FAULT` of `devflow agent-child`. Each runs twice: forked from the fork server (the
/// default) and executed per call (`DEVFLOW_AGENT_FORK_SERVER=0`).
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct AgentIsolationTests {
    static func pipeline(faults: [String: String], timeout: String = "1m") -> String {
        var text = """
            version: 1
            name: isolation
            on: {manual: {}}
            defaults: {shell: sh -eu}
            agents:
              guardian: {uses: security-guardian, with: {scope: all, fail_on: high}}
            steps:
              healthy: {agent: guardian}

            """
        for (step, fault) in faults.sorted(by: { $0.key < $1.key }) {
            text +=
                "  \(step): {agent: guardian, env: {DEVFLOW_AGENT_FAULT: \(fault)}, continue_on_error: true, timeout: \(timeout)}\n"
        }
        text += "  after: {needs: [\(faults.keys.sorted().joined(separator: ", "))], run: echo after}\n"
        return text
    }

    /// Runs the pipeline with `devflow run` and returns the store and the run's nodes and last attempts by node.
    static func run(_ pipeline: String, environment: [String: String] = [:]) throws -> (
        status: Int32, output: String, run: RunRecord?, nodes: [String: String], attempts: [String: AttemptRecord]
    ) {
        let directory = try RunCommandTests.workspace(pipeline)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = "\(directory)/db.sqlite"
        let result = Repository.run(
            builtDevflow, ["run", "--db", database, "-j", "2"], directory: directory, environment: environment)
        let store = try SQLiteRunStore(path: database)
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: 1).map { ($0.nodeId, $0.status.rawValue) })
        var attempts: [String: AttemptRecord] = [:]
        for attempt in try store.attempts(run: 1) { attempts[attempt.nodeId] = attempt }
        return (result.status, result.output, try store.run(1), nodes, attempts)
    }

    static let modes = [["DEVFLOW_AGENT_FORK_SERVER": "1"], ["DEVFLOW_AGENT_FORK_SERVER": "0"]]

    @Test(
        "a built-in agent's child killed by SIGKILL mid-run is a step error naming the signal and its stderr",
        arguments: modes)
    func killedChild(mode: [String: String]) throws {
        let run = try Self.run(Self.pipeline(faults: ["killed": "sigkill"]), environment: mode)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.run?.status == .succeeded && run.run?.finishedAt != nil)
        #expect(run.nodes == ["healthy": "succeeded", "killed": "failed", "after": "succeeded"])
        let killed = try #require(run.attempts["killed"])
        #expect(killed.status == .error && killed.signal == SIGKILL)
        let message = killed.error ?? ""
        #expect(message.contains("its child process was killed by SIGKILL (signal 9)"), "\(message)")
        #expect(message.contains("its stderr ended with: devflow agent-child: DEVFLOW_AGENT_FAULT=sigkill"))
        #expect(!message.contains("memory limit"))
    }

    @Test(
        "a trap and unbounded allocation under the memory limit are step errors; the other steps run", arguments: modes)
    func crashAndMemory(mode: [String: String]) throws {
        let run = try Self.run(
            Self.pipeline(faults: ["crashed": "crash", "hog": "allocate"]),
            environment: mode.merging(["DEVFLOW_AGENT_MEMORY_LIMIT": "256M"]) { $1 })
        #expect(run.status == 0, "\(run.output)")
        #expect(run.run?.status == .succeeded && run.run?.finishedAt != nil)
        #expect(run.nodes == ["healthy": "succeeded", "crashed": "failed", "hog": "failed", "after": "succeeded"])
        let hog = try #require(run.attempts["hog"])
        #expect(hog.status == .error && hog.signal != nil && hog.signal != SIGKILL)
        #expect(
            hog.error?.contains("a memory limit of 256 MiB (DEVFLOW_AGENT_MEMORY_LIMIT)") == true, "\(hog.error ?? "")")
        #expect(hog.error?.contains("out of memory after") == true, "\(hog.error ?? "")")
        let crashed = try #require(run.attempts["crashed"])
        #expect(crashed.status == .error && crashed.error?.contains("Fatal error") == true, "\(crashed.error ?? "")")
        #expect(run.attempts["healthy"]?.status == .succeeded)
    }

    @Test("a hanging built-in is stopped by the step's timeout, and the run goes on", arguments: modes)
    func hangingChild(mode: [String: String]) throws {
        let run = try Self.run(Self.pipeline(faults: ["stuck": "hang"], timeout: "1s"), environment: mode)
        #expect(run.run?.finishedAt != nil)
        #expect(run.nodes["stuck"] == "failed" && run.nodes["after"] == "succeeded")
        #expect(run.attempts["stuck"]?.status == .timedOut)
    }

    @Test("the runner says what to do when it cannot find devflow, and reads sizes as people write them")
    func settings() {
        let missing = AgentChildSettings().resolveExecutable(environment: [:])
        guard case .failure(let problem) = missing else {
            Issue.record("the test runner is not devflow, yet an executable was found")
            return
        }
        #expect(problem.description.contains("set DEVFLOW_AGENT_EXECUTABLE to the path of devflow"))
        guard
            case .success(let named) = AgentChildSettings().resolveExecutable(
                environment: ["DEVFLOW_AGENT_EXECUTABLE": builtDevflow])
        else {
            Issue.record("DEVFLOW_AGENT_EXECUTABLE was not used")
            return
        }
        #expect(named == builtDevflow)
        guard
            case .failure(let bad) = AgentChildSettings(executable: "/nonexistent/devflow").resolveExecutable(
                environment: [:])
        else {
            Issue.record("a missing executable was accepted")
            return
        }
        #expect(bad.description.contains("'/nonexistent/devflow'"))
        #expect(AgentChildSettings.parseBytes("2G") == 2 << 30)
        #expect(AgentChildSettings.parseBytes("512MiB") == 512 << 20)
        #expect(AgentChildSettings.parseBytes("1000") == 1000)
        #expect(AgentChildSettings.parseBytes("none") == 0)
        #expect(AgentChildSettings.parseBytes("lots") == nil)
        #expect(AgentChildSettings.parseBytes("-1M") == nil)
        let defaulted = AgentChildSettings().resolveMemoryLimit(environment: [:])
        #expect((try? defaulted.get()) == AgentChildSettings.defaultMemoryLimit)
        #expect(
            (try? AgentChildSettings().resolveMemoryLimit(environment: ["DEVFLOW_AGENT_MEMORY_LIMIT": "0"]).get())
                == .some(nil))
    }
}
