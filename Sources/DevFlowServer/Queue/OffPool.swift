import Foundation

/// Runs blocking work (libgit2 fetches and checkouts, which also wait on a mirror's lock) on a thread of its own,
/// so that the cooperative pool, which serves HTTP requests, never waits for git.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}
