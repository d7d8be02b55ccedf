import GRDB

/// A run's state, one value shared by the store, the runner, the server and the API.
///
/// `queued → running → succeeded | failed | cancelled | interrupted`; a queued run whose pipeline does not compile
/// at its commit ends `config_error`, and one whose triggers do not match the event ends `skipped`.
public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Waiting for a worker (server runs) or for its concurrency group.
    case queued
    /// Claimed by a runner that is executing it.
    case running
    /// Every node that ran succeeded (or failed with `continue_on_error`).
    case succeeded
    /// A node failed.
    case failed
    /// Cancelled by a person, a signal or a newer run of its concurrency group.
    case cancelled
    /// Its runner died; `devflow run --resume` or the server's rescuer takes it from there.
    case interrupted
    /// The pipeline at the run's commit does not compile; the diagnostics are stored with the run.
    case configError = "config_error"
    /// No trigger of the pipeline matched the event (the reason is stored with the run).
    case skipped

    /// Whether the run has reached a final state.
    public var isFinished: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled, .interrupted, .configError, .skipped: true
        }
    }
}
