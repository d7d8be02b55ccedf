import DevFlowStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Wakes this process's workers when any server queues a run: `LISTEN devflow_queue` on a connection of its own
/// (the queue's writers `NOTIFY` in the transaction that queues), opened again a second after it breaks. A hint
/// only, never the truth: workers still poll the queue, so a lost notification delays a claim, never loses a run.
public final class QueueListener: @unchecked Sendable {
    private let pool: PostgresPool
    private let onQueued: @Sendable () -> Void
    private let condition = NSCondition()
    private var stopped = false
    private var connection: PostgresConnection?
    private var listening = false

    /// Starts listening on `store`'s database; `onQueued` runs on an event loop for each notification.
    public init(store: PostgresRunStore, onQueued: @escaping @Sendable () -> Void) {
        pool = store.pool
        self.onQueued = onQueued
        let thread = Thread { [weak self] in self?.listen() }
        thread.name = "devflow-queue-listener"
        thread.start()
    }

    deinit { stop() }

    /// Whether the listening connection is up (for tests and `/readyz`-style checks).
    public var isListening: Bool {
        condition.lock()
        defer { condition.unlock() }
        return listening
    }

    /// Waits up to `seconds` for the listener to be up; returns whether it is.
    public func waitUntilListening(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !listening && !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return listening
    }

    /// Stops listening and closes the connection.
    public func stop() {
        condition.lock()
        stopped = true
        let open = connection
        connection = nil
        condition.broadcast()
        condition.unlock()
        _ = try? open?.close().wait()
    }

    private func listen() {
        while true {
            condition.lock()
            let done = stopped
            condition.unlock()
            if done { return }
            do {
                let opened = try pool.openDedicatedConnection()
                let handler = onQueued
                opened.addListener(channel: "devflow_queue") { _, _ in handler() }
                _ = try opened.query("LISTEN devflow_queue", logger: pool.logger).wait()
                condition.lock()
                if stopped {
                    condition.unlock()
                    _ = try? opened.close().wait()
                    return
                }
                connection = opened
                listening = true
                condition.broadcast()
                condition.unlock()
                // Until the connection breaks (or `stop` closes it).
                _ = try? opened.closeFuture.wait()
            } catch {
                // The server is down or unreachable: try again in a second.
            }
            condition.lock()
            listening = false
            connection = nil
            condition.broadcast()
            if !stopped { _ = condition.wait(until: Date().addingTimeInterval(1)) }
            condition.unlock()
        }
    }
}
