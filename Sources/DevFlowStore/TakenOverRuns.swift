import Foundation

/// A run that was taken over: marked `interrupted` (by the rescuer, which queued a run to resume it, or by
/// `markInterruptedRuns`), with the reason its record gives, if any.
struct Takeover: Sendable, Equatable {
    var reason: String?
}

/// The runs a store knows were taken over, so that a write of one is refused without a read of the database (the
/// journaled path of `finishNode` writes no transaction of its own to check in).
final class TakenOverRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var runs: [Int64: Takeover] = [:]

    /// The takeover of `run`, if this store knows of one.
    subscript(run: Int64) -> Takeover? { lock.withLock { runs[run] } }

    /// Records that `run` was taken over.
    func record(_ run: Int64, _ takeover: Takeover) { lock.withLock { runs[run] = takeover } }
}
