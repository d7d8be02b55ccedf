import DevFlowGraph
import Foundation
import Testing

/// The runtime side of `on.schedule`: which minutes a cron matches and when it last fired.
@Suite("cron schedules")
struct CronScheduleTests {
    /// 2026-12-02 10:07 UTC, a Wednesday.
    static let wednesday = Date(timeIntervalSince1970: 1_796_206_020)

    static func text(_ date: Date?) -> String {
        guard let date else { return "nil" }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    @Test(
        "the latest fire at or before a moment",
        arguments: [
            ("0 3 * * 1-5", "2026-12-02T03:00:00Z"), ("*/15 * * * *", "2026-12-02T10:00:00Z"),
            ("7 10 * * *", "2026-12-02T10:07:00Z"), ("8 10 * * *", "2026-12-01T10:08:00Z"),
            ("0 0 1 1 *", "2026-01-01T00:00:00Z"), ("30 12 * * SUN", "2026-11-29T12:30:00Z"),
            ("0 9 15 * MON", "2026-11-30T09:00:00Z"),  // day 15 or a Monday, as Vixie cron
            ("0 0 29 2 *", "2024-02-29T00:00:00Z"), ("0 22 * DEC 7", "2025-12-28T22:00:00Z"),
        ])
    func latestFire(cron: String, expected: String) throws {
        let schedule = try #require(CronSchedule(cron))
        #expect(Self.text(schedule.latestFire(atOrBefore: Self.wednesday)) == expected)
    }

    @Test("a weekday schedule seen on a Monday before its hour fired last on Friday")
    func weekend() throws {
        let monday = Date(timeIntervalSince1970: 1_796_004_000)  // 2026-11-30 02:00 UTC
        let schedule = try #require(CronSchedule("0 3 * * 1-5"))
        #expect(Self.text(schedule.latestFire(atOrBefore: monday)) == "2026-11-27T03:00:00Z")
    }

    @Test(
        "malformed expressions are refused",
        arguments: ["", "* * * *", "60 * * * *", "* * * * * *", "5-1 * * * *", "*/0 * * * *", "a * * * *"])
    func malformed(cron: String) {
        #expect(CronSchedule(cron) == nil)
    }
}
