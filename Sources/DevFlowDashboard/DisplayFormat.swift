import DevFlowStore
import Foundation

/// How the dashboard writes durations, times, commits and states for people.
enum DisplayFormat {
    /// `0.4s`, `45s`, `1m 3s`, `2h 5m`, `3d 4h`.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "" }
        if seconds < 10 && seconds != seconds.rounded() { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        let (days, hours, minutes, rest) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return rest > 0 ? "\(minutes)m \(rest)s" : "\(minutes)m" }
        return "\(rest)s"
    }

    /// A duration in milliseconds, or "" when unknown.
    static func duration(milliseconds: Int64?) -> String {
        milliseconds.map { duration(seconds: Double($0) / 1000) } ?? ""
    }

    /// The time between two dates, or "" when either is missing.
    static func duration(from start: Date?, to end: Date?) -> String {
        guard let start, let end else { return "" }
        return duration(seconds: max(0, end.timeIntervalSince(start)))
    }

    /// `2026-12-02T14:05:09.123Z`, what `<time datetime>` and the API carry.
    static func iso(_ date: Date?) -> String { date.map(StoredDate.iso8601) ?? "" }

    /// `2026-12-02 14:05 UTC` from a date.
    static func text(_ date: Date?) -> String { date.map { text(iso: StoredDate.iso8601($0)) } ?? "" }

    /// `2026-12-02 14:05 UTC` from an ISO 8601 time (the text itself when it has another shape).
    static func text(iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return iso ?? "" }
        let characters = Array(iso)
        return String(characters[0..<10]) + " " + String(characters[11..<16]) + " UTC"
    }

    /// The first 7 characters of a commit id.
    static func shortCommit(_ commit: String?) -> String { commit.map { String($0.prefix(7)) } ?? "" }

    /// A state as a label: `config_error` → `config error`.
    static func label(_ state: String) -> String { state.replacingOccurrences(of: "_", with: " ") }

    /// `87%`, or "–" when unknown.
    static func percent(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "–" }
        return "\(Int((rate * 100).rounded()))%"
    }

    /// A path segment of a dashboard URL (a step id or breaker name may hold any character).
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
