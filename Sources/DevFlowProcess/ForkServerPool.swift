#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Idle fork servers, by the command that starts them: a call takes one (or starts one), and gives it back when
/// the call is over and the server still works. One server runs one call at a time, so concurrent calls use as
/// many servers; at most `idleLimit` stay idle per command.
public final class ForkServerPool: @unchecked Sendable {
    /// The pool of this process.
    public static let shared = ForkServerPool(idleLimit: 8)

    private let mutex = PosixMutex()
    private let idleLimit: Int
    /// Guarded by `mutex`.
    private var idle: [String: [ForkServerClient]] = [:]

    /// A pool keeping at most `idleLimit` idle servers per command.
    public init(idleLimit: Int) { self.idleLimit = idleLimit }

    deinit { closeAll() }

    /// Runs `body` with a server of `executable arguments…` (started with `environment` when none is idle).
    public func withServer<R>(
        executable: String, arguments: [String], environment: @autoclosure () -> [String: String],
        _ body: (ForkServerClient) -> R
    ) -> Result<R, ProcessLaunchError> {
        let key = ([executable] + arguments).joined(separator: "\u{0}")
        let server: ForkServerClient
        if let taken = takeIdle(key) {
            server = taken
        } else {
            switch ForkServerClient.start(executable: executable, arguments: arguments, environment: environment()) {
            case .success(let started): server = started
            case .failure(let error): return .failure(error)
            }
        }
        let result = body(server)
        let kept =
            server.isUsable
            && mutex.withLock {
                guard idle[key, default: []].count < idleLimit else { return false }
                idle[key, default: []].append(server)
                return true
            }
        if !kept { server.close() }
        return .success(result)
    }

    /// An idle server of `key` that still works (broken ones found on the way are closed).
    private func takeIdle(_ key: String) -> ForkServerClient? {
        while let server = mutex.withLock({ idle[key]?.popLast() }) {
            if server.isUsable { return server }
            server.close()
        }
        return nil
    }

    /// Idle servers of every command, for tests.
    public var idleCount: Int { mutex.withLock { idle.values.reduce(0) { $0 + $1.count } } }

    /// Stops every idle server.
    public func closeAll() {
        let servers = mutex.withLock {
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for server in servers { server.close() }
    }
}
