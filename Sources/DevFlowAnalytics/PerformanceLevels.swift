import Foundation

/// The DORA performance clusters of one State of DevOps report, read from `dora-levels.json` (embedded in the
/// binary): versioned data with its year, never thresholds in code.
public struct PerformanceLevels: Codable, Sendable, Equatable {
    /// One bound of one metric at one level.
    public struct Bound: Codable, Sendable, Equatable {
        /// How the report words it.
        public var text: String
        /// Deployment frequency: at least this many successful deployments a week.
        public var minimumPerWeek: Double?
        /// Lead time and recovery time: at most this long.
        public var maximumSeconds: Double?
        /// Change failure rate: at most this fraction.
        public var maximum: Double?
    }

    /// One cluster.
    public struct Level: Codable, Sendable, Equatable {
        /// `elite`, `high`, `medium`, `low`.
        public var name: String
        /// The share of the report's respondents in it.
        public var share: Double
        /// Its deployment frequency.
        public var deploymentFrequency: Bound
        /// Its lead time for changes.
        public var leadTime: Bound
        /// Its change failure rate.
        public var changeFailureRate: Bound
        /// Its failed-deployment recovery time.
        public var recoveryTime: Bound
    }

    /// The report's year.
    public var year: Int
    /// The report.
    public var source: String
    /// How the levels are applied, and what is odd in the data.
    public var notes: [String]
    /// Best to worst.
    public var levels: [Level]

    /// The levels DevFlow ships (the 2024 report).
    public static let current: PerformanceLevels = {
        do {
            return try decode(Data(PackageResources.dora_levels_json))
        } catch {
            preconditionFailure("the embedded dora-levels.json does not decode: \(error)")
        }
    }()

    /// Reads levels from JSON in the shipped format.
    public static func decode(_ data: Data) throws -> PerformanceLevels {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let levels = try decoder.decode(PerformanceLevels.self, from: data)
        guard !levels.levels.isEmpty else { throw AnalyticsError("the DORA levels data names no level") }
        return levels
    }

    /// The level of a deployment frequency of `perWeek` successful deployments a week.
    public func frequencyLevel(perWeek: Double) -> String {
        classify { perWeek >= ($0.deploymentFrequency.minimumPerWeek ?? 0) }
    }

    /// The level of a median lead time.
    public func leadTimeLevel(seconds: Double) -> String {
        classify { seconds <= ($0.leadTime.maximumSeconds ?? .infinity) }
    }

    /// The level of a change failure rate (a fraction).
    public func changeFailureLevel(rate: Double) -> String {
        classify { rate <= ($0.changeFailureRate.maximum ?? 1) }
    }

    /// The level of a median recovery time.
    public func recoveryLevel(seconds: Double) -> String {
        classify { seconds <= ($0.recoveryTime.maximumSeconds ?? .infinity) }
    }

    /// The first level, best to worst, that `meets`; the last when none does.
    private func classify(_ meets: (Level) -> Bool) -> String {
        (levels.first(where: meets) ?? levels[levels.count - 1]).name
    }
}
