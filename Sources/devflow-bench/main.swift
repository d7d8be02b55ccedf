// devflow-bench: measures what the runner costs per step apart from the processes it starts.
//
//   swift run -c release devflow-bench engine FILE [-j N] [--db PATH]
//
// Runs FILE's graph through RunEngine with an executor that starts no process (or, with --processes, the real one) (every attempt succeeds at once),
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

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("devflow-bench: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "spawn" {
    // The launcher alone: N sequential runs of /bin/true, as the posix_spawn floor does them.
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
    let environment = ProcessInfo.processInfo.environment
    let start = ContinuousClock.now
    for _ in 0..<count {
        _ = try ProcessLauncher.run(ProcessSpec(executable: "/bin/true", environment: environment)) { _ in }
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
    fail("usage: devflow-bench engine FILE [-j N] [--db PATH]")
}
let file = arguments[1]
var jobs = 1
var realProcesses = false
var database = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-bench-\(getpid()).sqlite").path
var index = 2
while index < arguments.count {
    switch arguments[index] {
    case "-j": jobs = Int(arguments[index + 1]) ?? 1
    case "--db": database = arguments[index + 1]
    case "--processes":
        realProcesses = true
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
let executor: any StepExecutor = realProcesses ? ProcessStepExecutor() : InstantExecutor()
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
        realProcesses ? "real processes" : "no processes"))
try? FileManager.default.removeItem(atPath: database)
