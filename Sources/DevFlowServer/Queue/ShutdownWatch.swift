import Foundation

/// Lets running runs hear about a shutdown: on SIGTERM the server stops claiming, lets running steps finish for
/// the grace period, then cancels what is left (their process groups are killed and the runs recorded `cancelled`).
public final class ShutdownWatch: Sendable {
    private let handlers = LockedBox<[UUID: @Sendable (Bool) -> Void]>([:])
    private let stopping = LockedBox(false)

    /// Registers `handler` (called with `graceful`); returns a token for `remove`.
    func onShutdown(_ handler: @escaping @Sendable (Bool) -> Void) -> UUID {
        let token = UUID()
        handlers.withValue { $0[token] = handler }
        return token
    }

    /// Forgets a handler.
    func remove(_ token: UUID) { _ = handlers.withValue { $0.removeValue(forKey: token) } }

    /// Whether a shutdown started.
    var isStopping: Bool { stopping.withValue { $0 } }

    /// Starts the shutdown: no new claims.
    func beginStopping() { stopping.withValue { $0 = true } }

    /// Cancels every running run.
    func cancelAll(graceful: Bool) {
        for handler in handlers.withValue({ Array($0.values) }) { handler(graceful) }
    }

    /// How many runs are still running.
    var running: Int { handlers.withValue { $0.count } }
}
