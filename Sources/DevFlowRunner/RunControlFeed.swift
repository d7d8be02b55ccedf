import DevFlowStore

/// Where a run learns, about once a second, that someone asked it to stop or paused it: the alternative to the
/// engine's own heartbeat for runs whose liveness is a lease (a server's), so that thousands of runs in flight cost
/// one read per second instead of a write each.
public protocol RunControlFeed: Sendable {
    /// Calls `update` with `run`'s control state about once a second, until `unfollow` with the returned token.
    func follow(run: Int64, update: @escaping @Sendable (RunControl) -> Void) -> Int
    /// Stops the updates of a `follow`.
    func unfollow(_ token: Int)
}
