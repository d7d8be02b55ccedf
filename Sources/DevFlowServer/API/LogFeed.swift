import DevFlowAPIRequests
import DevFlowStore
import Foundation

/// The live logs being followed: one feed per run and node (or whole run), however many clients follow it.
final class LogHub: Sendable {
    let store: any ServerStore
    let pollSeconds: Double
    private let feeds = LockedBox<[String: LogFeed]>([:])

    init(store: any ServerStore, pollSeconds: Double) {
        self.store = store
        self.pollSeconds = pollSeconds
    }

    /// The feed of `run`'s `node` (nil: every node of the run), made on first use.
    func feed(run: Int64, node: String?) -> LogFeed {
        let key = "\(run)\u{1F}\(node ?? "")"
        return feeds.withValue { feeds in
            if let feed = feeds[key] { return feed }
            let feed = LogFeed(store: store, run: run, node: node, pollSeconds: pollSeconds) { [weak self] in
                self?.feeds.withValue { $0[key] = nil }
            }
            feeds[key] = feed
            return feed
        }
    }

    /// How many feeds are open and how many clients follow them (`/metrics`).
    var load: (feeds: Int, followers: Int) {
        let open = feeds.withValue { Array($0.values) }
        return (open.count, open.reduce(0) { $0 + $1.followerCount })
    }
}

/// One followed log: a single task reads its new chunks from the store every `pollSeconds` while anyone follows it,
/// keeps the most recent ones in memory (at most `windowBytes` of text), and wakes the followers. A thousand clients
/// on one node cost one store query per poll, not a thousand.
final class LogFeed: @unchecked Sendable {
    let store: any ServerStore
    let run: Int64
    let node: String?
    let pollSeconds: Double
    /// Text kept for followers, beyond which the oldest chunks are dropped (followers behind it read the store).
    static let windowBytes = 16 << 20

    private let lock = NSLock()
    private var chunks: [LogChunkRecord] = []
    /// Each chunk's events, rendered once for every follower that takes the chunk whole.
    private var rendered: [String] = []
    private var bytes = 0
    /// Every chunk with an id above this is in `chunks` (it is the last one dropped, or 0).
    private var floor: Int64 = 0
    private var lastRead: Int64 = 0
    private var end: String?
    private var generation: UInt64 = 0
    private var followers = 0
    private var waiters: [CheckedContinuation<UInt64, Never>] = []
    private var poller: Task<Void, Never>?
    private let onIdle: @Sendable () -> Void

    init(store: any ServerStore, run: Int64, node: String?, pollSeconds: Double, onIdle: @escaping @Sendable () -> Void)
    {
        self.store = store
        self.run = run
        self.node = node
        self.pollSeconds = pollSeconds
        self.onIdle = onIdle
    }

    /// What a follower at `position` can take from memory.
    struct View {
        /// Chunks at or after the position's chunk (empty when `behind`).
        var chunks: [LogChunkRecord]
        /// Their events, rendered.
        var rendered: [String]
        /// The position is older than the window: read the store.
        var behind: Bool
        /// The `end` event's data once everything has been read and the node (or run) has finished.
        var end: String?
        /// The generation this view was taken at.
        var generation: UInt64
    }

    func view(after position: LogPosition) -> View {
        lock.lock()
        defer { lock.unlock() }
        if position.chunk < floor {
            return View(chunks: [], rendered: [], behind: true, end: nil, generation: generation)
        }
        // The first chunk at or after the position's (ids ascend): a binary search.
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if (chunks[middle].id ?? 0) < position.chunk { low = middle + 1 } else { high = middle }
        }
        let start = low
        return View(
            chunks: Array(chunks[start...]), rendered: Array(rendered[start...]), behind: false, end: end,
            generation: generation)
    }

    /// Waits until the feed has moved past `seen` (new lines, the end) or a second has passed; returns the generation.
    func wait(after seen: UInt64) async -> UInt64 {
        await withCheckedContinuation { continuation in
            lock.lock()
            if generation > seen || end != nil {
                let current = generation
                lock.unlock()
                continuation.resume(returning: current)
                return
            }
            waiters.append(continuation)
            lock.unlock()
        }
    }

    /// How many clients follow this feed.
    var followerCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return followers
    }

    func subscribe() {
        lock.lock()
        followers += 1
        if poller == nil { poller = Task { await self.poll() } }
        lock.unlock()
    }

    func unsubscribe() {
        lock.lock()
        followers -= 1
        let idle = followers == 0
        if idle {
            poller?.cancel()
            poller = nil
        }
        lock.unlock()
        if idle { onIdle() }
    }

    /// Reads what is new, until no one follows.
    private func poll() async {
        var lastTick = Date()
        while !Task.isCancelled {
            do {
                let finished = try isFinished()
                var fresh: [LogChunkRecord] = []
                while true {
                    let page = try store.logChunks(
                        run: run, node: node, after: lastRead, limit: APIController.chunkPage)
                    fresh += page
                    lastRead = page.last?.id ?? lastRead
                    if page.count < APIController.chunkPage { break }
                }
                let endData = finished ? try self.endData() : nil
                let now = Date()
                // Wake followers on news, and at least every second so they can send their pings.
                if !fresh.isEmpty || endData != nil || now.timeIntervalSince(lastTick) >= 1 {
                    lastTick = now
                    publish(fresh, end: endData)
                }
                if endData != nil { return }
            } catch {
                // The store is briefly unavailable: followers wait, and the next poll tries again.
            }
            try? await Task.sleep(nanoseconds: UInt64(pollSeconds * 1e9))
        }
    }

    private func publish(_ fresh: [LogChunkRecord], end endData: String?) {
        let events = fresh.map { LogTail.events(of: $0, from: 0) }
        lock.lock()
        chunks += fresh
        rendered += events
        bytes += fresh.reduce(0) { $0 + $1.text.utf8.count }
        var drop = 0
        while bytes > Self.windowBytes, drop < chunks.count - 1 {
            bytes -= chunks[drop].text.utf8.count
            drop += 1
        }
        if drop > 0 {
            floor = chunks[drop - 1].id ?? floor
            chunks.removeFirst(drop)
            rendered.removeFirst(drop)
        }
        if let endData { end = endData }
        generation += 1
        let current = generation
        let woken = waiters
        waiters.removeAll()
        lock.unlock()
        for waiter in woken { waiter.resume(returning: current) }
    }

    private func isFinished() throws -> Bool {
        guard let record = try store.run(run) else { return true }
        if record.status.isFinished { return true }
        guard let node else { return false }
        return try store.nodes(run: run).first { $0.nodeId == node }?.status.isFinished ?? false
    }

    private func endData() throws -> String {
        let status: String
        if let node {
            status = try store.nodes(run: run).first { $0.nodeId == node }?.status.rawValue ?? "unknown"
        } else {
            status = try store.run(run)?.status.rawValue ?? "unknown"
        }
        var out = "{\"status\":"
        JSONBody.writeQuoted(status, into: &out)
        return out + "}"
    }
}
