import DevFlowCompiler
import DevFlowGit
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// What the controllers and services of one server share: its settings, store, metrics and the doorbell that wakes
/// idle workers. Nothing in it coordinates what a second process would need: the store does that.
public final class ServerContext: Sendable {
    /// The resolved settings.
    public let settings: ServerSettings
    /// The run store (runs, nodes, attempts, logs, breakers): SQLite, or PostgreSQL shared with other servers and
    /// workers.
    public let store: any ServerStore
    /// The queue (the same store, seen through its queue protocol).
    public var queue: any RunQueue { store }
    /// Prometheus metrics.
    public let metrics: ServerMetrics
    /// Rung when a run is queued, so a waiting worker claims it without waiting for its next poll.
    public let doorbell: Doorbell
    /// On PostgreSQL, rings the doorbell when another server queues a run (`LISTEN devflow_queue`).
    let queueListener: QueueListener?
    /// The server's shutdown: running runs register to hear about it.
    public let shutdown = ShutdownWatch()
    /// Workers' liveness, for `/readyz`.
    public let workerBeats = WorkerBeats()
    /// The step processes this process runs at once across all its runs (`processes:`).
    public let processes: ProcessPermits
    /// Renews the leases of the runs this process executes, together.
    let leases = LeaseRenewer()
    /// Tells the runs this process executes about stop requests and pauses, from one read a second.
    let controls: RunControlHub
    /// The runs preparing at once (fetch, compile, checkout: blocking libgit2 work, each on a thread of its own).
    let preparations: ProcessPermits
    /// This process's id in the worker registry: `host:pid` (`host:pid.N` for the Nth context of one process, as in
    /// tests); its workers claim runs as `ID:slot`.
    public let workerID: String

    /// The live logs clients follow, one store reader per followed node.
    let logHub: LogHub

    /// Opens the store and creates the metrics.
    public init(settings: ServerSettings, store: (any ServerStore)? = nil) throws {
        // Requests share the concurrency pool with the runs' tasks: no step may hold one of its threads.
        RunEngine.keepStepsOffPool()
        self.settings = settings
        processes = ProcessPermits(limit: settings.processes)
        preparations = ProcessPermits(limit: max(2, ProcessInfo.processInfo.activeProcessorCount))
        let store = try store ?? StoreLocation.open(settings.databasePath)
        self.store = store
        controls = RunControlHub(store: store)
        let doorbell = Doorbell()
        self.doorbell = doorbell
        queueListener = (store as? PostgresRunStore).map { shared in QueueListener(store: shared) { doorbell.ring() } }
        metrics = ServerMetrics()
        let instance = Self.instances.withValue { count -> Int in
            count += 1
            return count
        }
        workerID = "\(StoreHost.name):\(getpid())" + (instance > 1 ? ".\(instance)" : "")
        logHub = LogHub(store: store, pollSeconds: settings.logPollSeconds)
    }
}

extension ServerContext {
    /// How many contexts this process has created.
    static let instances = LockedBox<Int>(0)

    /// The bare mirror of `repository` under `data/mirrors/` (a Bitbucket fork's pull request: of the `fork` URL,
    /// kept apart), with the repository's clone token. Workers and the scheduler share it; updates take its lock.
    func mirror(of repository: ServerConfiguration.Repository, fork: String? = nil) -> GitMirror {
        settings.mirror(of: repository, fork: fork)
    }

    /// A file-name-safe form of a repository name or URL.
    static func slug(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }
}

extension ServerSettings {
    /// The bare mirror of `repository` under `data/mirrors/` (see `ServerContext.mirror`): the same directory for the
    /// server's workers and for `devflow trigger`, which reads it without fetching.
    func mirror(of repository: ServerConfiguration.Repository, fork: String? = nil) -> GitMirror {
        var name = ServerContext.slug(repository.name)
        if let fork { name += "-fork-" + ServerContext.slug(fork) }
        return GitMirror(
            remoteURL: fork ?? repository.cloneURL,
            directory: PathName.join(dataDirectory, "mirrors/\(name)"),
            credentials: cloneTokens[repository.name].map { GitCredentials(token: $0) })
    }
}

/// A wake-up signal for the worker dispatcher: a hint only (it also polls the queue), never the source of truth.
/// A ring wakes every waiter at once; a waiter wakes at its deadline without one. Nothing polls in between.
public final class Doorbell: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits that have not returned yet.
        var pending: Set<UInt64> = []
        /// Pending waits whose deadline or cancellation came before they began waiting.
        var ended: Set<UInt64> = []
    }

    private let state = LockedBox(State())

    /// Creates a doorbell.
    public init() {}

    /// Wakes the waiting workers.
    public func ring() {
        let woken = state.withValue { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// How many times it has rung: a mark for `wait(seconds:since:)`.
    public var generation: UInt64 { state.withValue { $0.generation } }

    /// Waits for a ring or `seconds`, whichever comes first (or until the task is cancelled).
    public func wait(seconds: TimeInterval) async { await wait(seconds: seconds, since: generation) }

    /// Waits as `wait(seconds:)` does, but returns at once when it has rung since `mark` (a `generation` read
    /// before deciding to wait), so a ring between that decision and the wait is not lost.
    public func wait(seconds: TimeInterval, since mark: UInt64) async {
        let id = state.withValue { state -> UInt64 in
            state.nextID &+= 1
            state.pending.insert(state.nextID)
            return state.nextID
        }
        let generation = mark
        let deadline = Task {
            guard (try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))) != nil else { return }
            self.end(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let waits = state.withValue { state -> Bool in
                    if state.ended.remove(id) != nil || state.generation != generation || Task.isCancelled {
                        return false
                    }
                    state.waiters[id] = waiter
                    return true
                }
                if !waits { waiter.resume() }
            }
        } onCancel: {
            self.end(id)
        }
        deadline.cancel()
        state.withValue { state in
            state.pending.remove(id)
            state.ended.remove(id)
        }
    }

    /// Ends wait `id`: wakes it, or marks it ended when it has not begun waiting yet.
    private func end(_ id: UInt64) {
        let waiter = state.withValue { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if state.pending.contains(id) { state.ended.insert(id) }
            return nil
        }
        waiter?.resume()
    }
}

/// The last time each worker went round its loop.
public final class WorkerBeats: Sendable {
    private let beats = LockedBox<[Int: Date]>([:])

    /// Records that worker `index` is alive.
    func beat(_ index: Int) { beats.withValue { $0[index] = Date() } }

    /// Whether `count` workers have gone round their loop within `seconds`.
    func allAlive(count: Int, within seconds: TimeInterval) -> Bool {
        let now = Date()
        return beats.withValue { beats in
            (0..<count).allSatisfy { index in beats[index].map { now.timeIntervalSince($0) < seconds } ?? false }
        }
    }
}

/// A value behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withValue<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
