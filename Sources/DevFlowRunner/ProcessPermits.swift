import DevFlowGraph
import Foundation

/// A bound on the step processes one server or worker process runs at once across all its runs: a step takes a
/// permit before its process starts and gives it back when the process has ended. Waiters are served first come,
/// first served; a run cancelled while its step waits stops waiting. Steps that wait on the network (`uses: llm`)
/// take none, so thousands of runs can wait on a model while a few processes run at a time.
public final class ProcessPermits: @unchecked Sendable {
    private struct Waiter {
        var id: UInt64
        var resume: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    /// How many processes may run at once.
    public let limit: Int
    private let lock = NSLock()
    private var state: State

    /// Creates permits for `limit` processes at once (at least one).
    public init(limit: Int) {
        self.limit = max(1, limit)
        state = State(available: max(1, limit))
    }

    /// Permits not taken now.
    public var available: Int { withState { $0.available } }

    /// Steps waiting for a permit now.
    public var waiting: Int { withState { $0.waiters.count } }

    /// Waits for a permit; false when `cancellation` fired first (then no permit is held).
    public func acquire(cancellation: Cancellation) async -> Bool {
        if cancellation.isCancelled { return false }
        let id = withState { state -> UInt64? in
            if state.available > 0 && state.waiters.isEmpty {
                state.available -= 1
                return nil
            }
            state.nextID &+= 1
            return state.nextID
        }
        guard let id else { return true }
        let key = cancellation.onCancel { _ in self.abandon(id) }
        defer { cancellation.remove(key) }
        return await withCheckedContinuation { resume in
            let granted = withState { state -> Bool? in
                // Cancelled before the wait began: the handler found no waiter to resume.
                if cancellation.isCancelled { return false }
                // A permit came back between the first look and now.
                if state.available > 0 && state.waiters.isEmpty {
                    state.available -= 1
                    return true
                }
                state.waiters.append(Waiter(id: id, resume: resume))
                return nil
            }
            if let granted { resume.resume(returning: granted) }
        }
    }

    /// Gives a permit back: the longest waiter gets it.
    public func release() {
        let next = withState { state -> Waiter? in
            if state.waiters.isEmpty {
                state.available = min(limit, state.available + 1)
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume.resume(returning: true)
    }

    /// Runs `body` holding a permit; nil (without running it) when `cancellation` fired while waiting.
    public func withPermit<T>(cancellation: Cancellation, _ body: () async -> T) async -> T? {
        guard await acquire(cancellation: cancellation) else { return nil }
        defer { release() }
        return await body()
    }

    private func withState<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    private func abandon(_ id: UInt64) {
        let waiter = withState { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.resume.resume(returning: false)
    }
}

extension NodeAction {
    /// The built-in agent that waits on a chat-completions server in this process instead of starting one.
    public static let llmAgent = "llm"

    /// Whether running the node starts a process (or forks an agent child): every hook and agent step but `llm`.
    public var startsProcess: Bool {
        guard case .agent(let agent, let uses, let command, _) = self else { return true }
        return command != nil || (uses ?? agent) != Self.llmAgent
    }
}
