import Foundation

/// Names every backend and the server share for the processes that work on a store.
public enum StoreHost {
    /// This machine's host name, as run records, worker ids and the registry name it.
    public static let name = ProcessInfo.processInfo.hostName
    /// The worker id of a local `devflow run` waiting for its concurrency group: server workers never claim it.
    public static let localWorker = "local"
}
