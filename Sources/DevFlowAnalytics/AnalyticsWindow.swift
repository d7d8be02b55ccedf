import Foundation

/// A window ending now (or at a given time) and reaching back a duration written as `90d`, `12w`, `36h` or `45m`.
public struct AnalyticsWindow: Codable, Sendable, Equatable {
    /// The window's start.
    public var since: Date
    /// The window's end (exclusive).
    public var until: Date

    /// Creates a window.
    public init(since: Date, until: Date) {
        self.since = since
        self.until = until
    }

    /// The window of `text` (`90d`) ending at `until`.
    public init(_ text: String, until: Date) throws(AnalyticsError) {
        self.init(since: until.addingTimeInterval(-(try Self.seconds(text))), until: until)
    }

    /// Its length in days.
    public var days: Double { until.timeIntervalSince(since) / 86_400 }

    /// The seconds in `text`: a positive whole number and a unit, `m`, `h`, `d` or `w`.
    public static func seconds(_ text: String) throws(AnalyticsError) -> TimeInterval {
        let units: [Character: TimeInterval] = ["m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        let problem = AnalyticsError(
            "'\(text)' is not a window: write a whole number from 1 to 9999 and a unit, m (minutes), h (hours), "
                + "d (days) or w (weeks), such as 90d or 12w")
        guard let unit = text.last, let scale = units[unit], let count = Int(text.dropLast()),
            (1...9_999).contains(count)
        else { throw problem }
        return Double(count) * scale
    }
}

/// Why an analytics request cannot be answered, said for people.
public struct AnalyticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
