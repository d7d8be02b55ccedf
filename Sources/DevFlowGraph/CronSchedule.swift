import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A five-field cron expression (minute hour day-of-month month day-of-week, in UTC) that can say when it last fired.
/// The compiler validates the syntax (`invalid-cron`); this is the runtime side the server's scheduler uses.
///
/// As in Vixie cron, when both day of month and day of week are restricted a day matches if either does.
///
/// ```swift
/// let nightly = CronSchedule("0 3 * * 1-5")!
/// nightly.latestFire(atOrBefore: now)   // the last weekday 03:00 UTC at or before now
/// ```
public struct CronSchedule: Sendable, Hashable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let dayRestricted: Bool
    let weekdayRestricted: Bool

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses `text`; nil when it is not a valid five-field expression.
    public init?(_ text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5,
            let minutes = Self.field(fields[0], 0...59, names: [], base: 0),
            let hours = Self.field(fields[1], 0...23, names: [], base: 0),
            let days = Self.field(fields[2], 1...31, names: [], base: 1),
            let months = Self.field(fields[3], 1...12, names: Self.monthNames, base: 1),
            let weekdays = Self.field(fields[4], 0...7, names: Self.dayNames, base: 0)
        else { return nil }
        self.minutes = minutes
        self.hours = hours
        self.days = days
        self.months = months
        self.weekdays = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        dayRestricted = fields[2] != "*"
        weekdayRestricted = fields[4] != "*"
    }

    static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], base: Int) -> Set<Int>? {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { return nil }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { return nil }
                step = parsed
            }
            var low = range.lowerBound
            var high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count) else { return nil }
                func value(_ text: Substring) -> Int? {
                    if let number = Int(text) { return number }
                    return names.firstIndex(of: text.uppercased()).map { $0 + base }
                }
                guard let first = value(bounds[0]) else { return nil }
                low = first
                high = bounds.count == 2 ? (value(bounds[1]) ?? -1) : (pieces.count == 2 ? range.upperBound : first)
            }
            guard range.contains(low), range.contains(high), low <= high else { return nil }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// Whether the minute starting at `date` matches.
    public func matches(_ date: Date) -> Bool {
        let parts = Self.parts(Int(date.timeIntervalSince1970.rounded(.down)))
        return minutes.contains(parts.minute) && hours.contains(parts.hour) && dayMatches(parts)
    }

    func dayMatches(_ parts: (minute: Int, hour: Int, day: Int, month: Int, weekday: Int)) -> Bool {
        guard months.contains(parts.month) else { return false }
        let byDay = days.contains(parts.day)
        let byWeekday = weekdays.contains(parts.weekday)
        if dayRestricted && weekdayRestricted { return byDay || byWeekday }
        return byDay && byWeekday
    }

    /// The latest minute at or before `date` at which the schedule fires, looking back at most about four years.
    public func latestFire(atOrBefore date: Date) -> Date? {
        let now = Int(date.timeIntervalSince1970.rounded(.down))
        let today = now - ((now % 86_400) + 86_400) % 86_400
        let current = Self.parts(now)
        for offset in 0..<(366 * 4 + 1) {
            let dayStart = today - offset * 86_400
            guard dayMatches(Self.parts(dayStart)) else { continue }
            for hour in stride(from: offset == 0 ? current.hour : 23, through: 0, by: -1) where hours.contains(hour) {
                let lastMinute = offset == 0 && hour == current.hour ? current.minute : 59
                for minute in stride(from: lastMinute, through: 0, by: -1) where minutes.contains(minute) {
                    return Date(timeIntervalSince1970: TimeInterval(dayStart + hour * 3600 + minute * 60))
                }
            }
        }
        return nil
    }

    static func parts(_ seconds: Int) -> (minute: Int, hour: Int, day: Int, month: Int, weekday: Int) {
        var time = time_t(seconds)
        var value = tm()
        gmtime_r(&time, &value)
        return (Int(value.tm_min), Int(value.tm_hour), Int(value.tm_mday), Int(value.tm_mon) + 1, Int(value.tm_wday))
    }
}
