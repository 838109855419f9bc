import Foundation
import Testing
@testable import Pipeline

@Suite struct CalendarTests {
    @Test func dayArithmeticMatchesFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = Day(year: 1999, month: 12, day: 25)!
        var date = calendar.date(from: DateComponents(year: 1999, month: 12, day: 25, hour: 12))!
        for offset in 0..<11_000 {
            let day = start.adding(days: offset)
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            #expect(day.year == c.year && day.month == c.month && day.day == c.day, "offset \(offset)")
            // Foundation: 1 = Sunday; ISO: 7 = Sunday.
            let iso = (c.weekday! + 5) % 7 + 1
            #expect(day.weekday == Weekday(isoNumber: iso))
            date = calendar.date(byAdding: .day, value: 1, to: date)!
        }
    }

    @Test func parsesAndRejectsDays() {
        #expect(Day("2026-02-28")?.description == "2026-02-28")
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2026-13-01") == nil)
        #expect(Day("2026-1-01") == nil)
        #expect(Day("yesterday") == nil)
    }

    @Test func workingDaysSkipWeekendsAndHolidays() {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!,
                                    holidays: [Day("2026-11-20")!])
        // Monday 2026-11-23: the window reaches back over the weekend and skips the Friday holiday.
        let window = calendar.workingDays(before: Day("2026-11-23")!, count: 4)
        #expect(window.map(\.description) == ["2026-11-19", "2026-11-18", "2026-11-17", "2026-11-16"])
    }

    @Test func dayBoundariesFollowTheTimeZoneAcrossDST() throws {
        let amsterdam = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
        // 2026-03-29: clocks go from 02:00 to 03:00; the day is 23 hours long.
        let spring = Day("2026-03-29")!
        let length = amsterdam.start(of: spring.adding(days: 1)).timeIntervalSince(amsterdam.start(of: spring))
        #expect(length == 23 * 3600)
        // 2026-10-25: clocks go back; 25 hours.
        let autumn = Day("2026-10-25")!
        #expect(amsterdam.start(of: autumn.adding(days: 1)).timeIntervalSince(amsterdam.start(of: autumn)) == 25 * 3600)
        // 23:30 UTC on 2026-10-24 is 01:30 on the 25th in Amsterdam (UTC+2 until 01:00 UTC).
        let utc = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let instant = try #require(utc.date(Day("2026-10-24")!, hour: 23, minute: 30))
        #expect(amsterdam.day(of: instant) == autumn)
        #expect(utc.day(of: instant) == Day("2026-10-24")!)
    }

    @Test func parsesLocalTimes() throws {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "America/New_York")!)
        let date = try #require(calendar.parseLocalTime("2026-11-25T16:00"))
        #expect(date.timeIntervalSince1970 == 1_795_640_400) // 21:00 UTC
        #expect(calendar.parseLocalTime("2026-11-25 16:00:30") == date.addingTimeInterval(30))
        #expect(calendar.parseLocalTime("2026-11-25T25:00") == nil)
        #expect(calendar.parseLocalTime("tomorrow") == nil)
    }
}
