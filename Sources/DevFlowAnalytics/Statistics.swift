/// Percentiles and summaries of samples, by the nearest-rank method (every reported value is an observed one).
public struct DurationStats: Codable, Sendable, Equatable {
    /// How many samples.
    public var samples: Int
    /// The median.
    public var p50: Double
    /// The 95th percentile.
    public var p95: Double
    /// The largest sample.
    public var max: Double

    /// Summarises `values`; nil when there are none.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        samples = sorted.count
        p50 = Percentile.of(sorted: sorted, 50)
        p95 = Percentile.of(sorted: sorted, 95)
        max = sorted[sorted.count - 1]
    }
}

/// Nearest-rank percentiles.
public enum Percentile {
    /// The `percent`th percentile of ascending `sorted` (not empty): the smallest sample with at least `percent`% of
    /// the samples at or below it.
    public static func of(sorted: [Double], _ percent: Double) -> Double {
        precondition(!sorted.isEmpty, "a percentile of no samples")
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }

    /// The `percent`th percentile of `values`, or nil when there are none.
    public static func of(_ values: [Double], _ percent: Double) -> Double? {
        values.isEmpty ? nil : of(sorted: values.sorted(), percent)
    }
}
