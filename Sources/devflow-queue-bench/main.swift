// devflow-queue-bench: claims per second of the durable queue, on SQLite or PostgreSQL (a benchmark, not a test).
//
//   swift build -c release --product devflow-queue-bench
//   .build/release/devflow-queue-bench --db LOCATION [--runs N] [--workers K] [--batch B] [--finish]
//
// Queues N no-op runs (outside the timing), then K workers, each a thread with a store of its own (its own SQLite
// connection pool or PostgreSQL connections, as separate processes would have), claim runs until the queue is empty;
// with --batch B each claim asks for B runs at once (`claimRuns` for B slots of the worker, one round trip on
// PostgreSQL); with --finish each claimed run is also finished (`succeeded`), as a worker that ran nothing would. Prints the
// claims per second and checks that every run was claimed exactly once. LOCATION must be a new, empty store.
import DevFlowStore
import DevFlowStorePostgres
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("devflow-queue-bench: \(message)\n".utf8))
    exit(2)
}

var location: String?
var runs = 10_000
var workers = 2
var finish = false
var batch = 1
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    switch flag {
    case "--db": location = arguments.isEmpty ? nil : arguments.removeFirst()
    case "--runs": runs = Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? 0
    case "--workers": workers = Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? 0
    case "--batch": batch = Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? 0
    case "--finish": finish = true
    default:
        fail(
            "unknown option \(flag); usage: devflow-queue-bench --db LOCATION [--runs N] [--workers K] [--batch B] [--finish]"
        )
    }
}
guard let location, runs > 0, workers > 0, batch > 0 else {
    fail("usage: devflow-queue-bench --db LOCATION [--runs N] [--workers K] [--batch B] [--finish]")
}

do {
    let store = try StoreLocation.open(location)
    guard try store.queueDepth() == 0, try store.runs(limit: 1).isEmpty else {
        fail("\(StoreLocation.display(location)) is not empty: give the benchmark a new store")
    }
    let now = Date()
    for index in 0..<runs {
        _ = try store.enqueue(
            RunRecord(
                id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "", event: "{}",
                gitCommit: "c\(index)", gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: now,
                startedAt: nil, finishedAt: nil, pid: 0, host: "", heartbeatAt: now, resumedFrom: nil,
                repository: "acme/app", ref: "refs/heads/main"))
    }
    // What autovacuum would have done by the time a real queue held this many runs.
    try (store as? PostgresRunStore)?.refreshStatistics()
    let stores = try (0..<workers).map { _ in try StoreLocation.open(location) }
    let claimed = LockedCounts()
    let finishEach = finish
    let slots = batch
    let start = DispatchTime.now().uptimeNanoseconds
    let threads = stores.enumerated().map { worker, store in
        let thread = Thread {
            var mine: [Int64] = []
            do {
                let names = (0..<slots).map { "bench:\(worker):\($0)" }
                while true {
                    let claimedNow = try store.claimRuns(workers: names, labels: [], now: Date(), lease: 300)
                    if claimedNow.isEmpty { break }
                    for run in claimedNow {
                        if finishEach { try store.finishRun(run: run.id ?? 0, status: .succeeded, at: Date()) }
                        mine.append(run.id ?? 0)
                    }
                }
            } catch {
                fail("worker \(worker): \(error)")
            }
            claimed.add(mine)
        }
        thread.start()
        return thread
    }
    while claimed.finishedWorkers < threads.count { usleep(1_000) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let ids = claimed.ids
    guard ids.count == runs, Set(ids).count == runs else {
        fail("\(ids.count) claims of \(runs) runs, \(Set(ids).count) distinct: a run was claimed twice or not at all")
    }
    let backend = PostgresLocation.isPostgres(location) ? "postgresql" : "sqlite"
    print(
        String(
            format: "%@: %d runs, %d workers, batches of %d%@: %.2f s, %.0f claims/s", backend, runs, workers, batch,
            finish ? " (claim + finish)" : "", seconds, Double(runs) / seconds))
} catch {
    fail("\(error)")
}

/// The runs each worker claimed, gathered when the workers end.
final class LockedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [Int64] = []
    private var done = 0

    func add(_ ids: [Int64]) {
        lock.lock()
        all += ids
        done += 1
        lock.unlock()
    }

    var ids: [Int64] {
        lock.lock()
        defer { lock.unlock() }
        return all
    }

    var finishedWorkers: Int {
        lock.lock()
        defer { lock.unlock() }
        return done
    }
}
