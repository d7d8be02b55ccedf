import Foundation

/// Time for the runner: injected so retry, breaker and timeout logic is tested without sleeping.
public protocol RunnerClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `seconds` (a test clock advances instantly).
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: RunnerClock {
    /// Creates the clock.
    public init() {}

    /// `Date()`.
    public func now() -> Date { Date() }

    /// `Task.sleep`.
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// A source of randomness for jitter, injectable for tests.
public protocol JitterSource: Sendable {
    /// A value uniformly in `0...1`.
    func unit() -> Double
}

/// `Double.random(in: 0...1)`.
public struct SystemJitter: JitterSource {
    /// Creates the source.
    public init() {}

    /// A uniform value in 0...1.
    public func unit() -> Double { Double.random(in: 0...1) }
}
