// devflow-bench: measures what the runner costs per step apart from the processes it starts.
//
//   swift run -c release devflow-bench engine FILE [-j N] [--db PATH] [--processes | --launcher]
//   swift run -c release devflow-bench spawn|spawn-thread|spawn-task N
//   swift run -c release devflow-bench agents N [--rounds R]   (built-ins in-process vs in child processes)
//
// Runs FILE's graph through RunEngine with an executor that starts no process (every attempt succeeds at once; with
// --processes the real executor, with --launcher /bin/true through the bare launcher),
// recording everything in SQLite as a real run does, and prints the wall time per step. Subtracting this from
// `devflow run` on the same graph leaves the cost of starting processes; comparing it with the posix_spawn floor
// shows what the scheduler and the store add.
import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowProcess
import DevFlowRunner
import DevFlowStore
import Foundation

struct InstantExecutor: StepExecutor {
    func execute(_ invocation: StepInvocation) async -> AttemptOutcome { AttemptOutcome(kind: .succeeded, exitCode: 0) }
}

/// Starts `/bin/true` through the bare launcher with the step's environment: the engine plus the launcher, without
/// the hook executor (scripts, outputs file, interpolation), to tell their costs apart.
struct LauncherExecutor: StepExecutor {
    func execute(_ invocation: StepInvocation) async -> AttemptOutcome {
        let spec = ProcessSpec(executable: "/bin/true", environment: invocation.environment)
        let outcome = try? ProcessLauncher.run(spec) { _ in }
        return AttemptOutcome(kind: outcome?.exitCode == 0 ? .succeeded : .failed, exitCode: outcome?.exitCode)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("devflow-bench: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "agents" {
    do {
        try await AgentStepBench.run(Array(arguments.dropFirst()))
    } catch {
        fail("\(error)")
    }
    exit(0)
}
if ["spawn", "spawn-task", "spawn-thread"].contains(arguments.first) {
    // The launcher alone: N sequential runs of /bin/true, as the posix_spawn floor does them: from the main thread,
    // from a plain thread (spawn-thread) or from a task on the cooperative pool (spawn-task), where the engine runs.
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
    let environment = ProcessInfo.processInfo.environment
    let start = ContinuousClock.now
    let loop: @Sendable () throws -> Void = {
        for _ in 0..<count {
            _ = try ProcessLauncher.run(ProcessSpec(executable: "/bin/true", environment: environment)) { _ in }
        }
    }
    switch arguments.first {
    case "spawn": try loop()
    case "spawn-thread":
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? loop()
            done.signal()
        }.start()
        done.wait()
    default: try await Task.detached { try loop() }.value
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
        String(
            format: "%d launches of /bin/true: %.1f ms, %.1f µs each", count, seconds * 1000,
            seconds / Double(count) * 1e6))
    exit(0)
}
guard arguments.first == "engine", arguments.count >= 2 else {
    fail(
        "usage: devflow-bench engine FILE [-j N] [--db PATH] [--processes | --launcher] | devflow-bench spawn|spawn-thread|spawn-task N"
    )
}
let file = arguments[1]
var jobs = 1
var realProcesses = false
var bareLauncher = false
var database = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-bench-\(getpid()).sqlite").path
var index = 2
while index < arguments.count {
    switch arguments[index] {
    case "-j": jobs = Int(arguments[index + 1]) ?? 1
    case "--db": database = arguments[index + 1]
    case "--processes":
        realProcesses = true
        index -= 1
    case "--launcher":
        bareLauncher = true
        index -= 1
    default: fail("unknown option \(arguments[index])")
    }
    index += 2
}
guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
let compilation = Compiler.compile(SourceFile(path: file, bytes: Array(data)))
guard let graph = compilation.graph else { fail("\(file) does not compile") }
let store = try SQLiteRunStore(path: database)
let request = RunRequest(
    graph: graph, file: file, event: PlanEvent(kind: "manual"), workspace: FileManager.default.currentDirectoryPath,
    jobs: jobs)
let executor: any StepExecutor =
    realProcesses ? ProcessStepExecutor() : bareLauncher ? LauncherExecutor() as any StepExecutor : InstantExecutor()
let engine = RunEngine(request: request, store: store, executor: executor)
let start = ContinuousClock.now
let summary = try await engine.run()
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let attempts = try store.attempts(run: summary.runId).count
print(
    String(
        format: "%@: %d nodes, %d attempts recorded, %.1f ms, %.1f µs per step (-j %d, %@)",
        file, graph.nodes.count, attempts, seconds * 1000, seconds / Double(graph.nodes.count) * 1e6, jobs,
        realProcesses ? "real processes" : bareLauncher ? "bare launcher" : "no processes"))
try? FileManager.default.removeItem(atPath: database)
