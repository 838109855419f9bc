import Foundation

/// The site's calendar: its time zone, working days and holidays.
///
/// "Today" and every day boundary follow `timeZone`. Working days are `workdays` minus `holidays`.
public struct WorkCalendar: Sendable {
    /// The time zone that decides where a day starts and ends.
    public let timeZone: TimeZone
    /// The days of the week that are working days.
    public let workdays: Set<Weekday>
    /// Days that are never working days, whatever their weekday.
    public let holidays: Set<Day>
    /// The time zone's name as configured (Foundation may report `UTC` as `GMT`).
    public let zoneName: String

    private let calendar: Calendar

    /// Creates a calendar. `workdays` must not be empty.
    public init(timeZone: TimeZone, workdays: Set<Weekday> = [.mon, .tue, .wed, .thu, .fri], holidays: Set<Day> = [],
                zoneName: String? = nil) {
        self.timeZone = timeZone
        self.zoneName = zoneName ?? timeZone.identifier
        self.workdays = workdays
        self.holidays = holidays
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// Whether `day` is a working day.
    public func isWorkingDay(_ day: Day) -> Bool {
        workdays.contains(day.weekday) && !holidays.contains(day)
    }

    /// The `count` most recent working days strictly before `day`, most recent first.
    public func workingDays(before day: Day, count: Int) -> [Day] {
        guard count > 0, !workdays.isEmpty else { return [] }
        var result: [Day] = []
        result.reserveCapacity(count)
        var cursor = day.adding(days: -1)
        // Bounded: even a site with one working day a week and many holidays fills the window.
        let limit = count * 7 + 3660
        var steps = 0
        while result.count < count && steps < limit {
            if isWorkingDay(cursor) { result.append(cursor) }
            cursor = cursor.adding(days: -1)
            steps += 1
        }
        return result
    }

    /// The local day that contains the instant `date`.
    public func day(of date: Date) -> Day {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// The local wall-clock time of `date` as hour, minute and second.
    public func timeOfDay(_ date: Date) -> (hour: Int, minute: Int, second: Int) {
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// The first instant of `day` in this time zone (local midnight, or the first
    /// existing instant where a DST change skips midnight).
    public func start(of day: Day) -> Date {
        var c = DateComponents()
        c.year = day.year
        c.month = day.month
        c.day = day.day
        c.hour = 12
        let noon = calendar.date(from: c)!
        return calendar.startOfDay(for: noon)
    }

    /// The instant of a local wall-clock time, or `nil` if the components are invalid.
    /// A time skipped by a DST change resolves to the next existing instant.
    public func date(_ day: Day, hour: Int, minute: Int, second: Int = 0) -> Date? {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var c = DateComponents()
        c.year = day.year
        c.month = day.month
        c.day = day.day
        c.hour = hour
        c.minute = minute
        c.second = second
        return calendar.date(from: c)
    }

    /// Parses a local time `YYYY-MM-DDTHH:MM[:SS]` (or `YYYY-MM-DD HH:MM[:SS]`, or a bare
    /// `YYYY-MM-DD` meaning 12:00) in this calendar's time zone.
    public func parseLocalTime(_ text: String) -> Date? {
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let parts = normalized.split(separator: "T", omittingEmptySubsequences: false)
        guard let first = parts.first, let day = Day(String(first)) else { return nil }
        if parts.count == 1 { return date(day, hour: 12, minute: 0) }
        guard parts.count == 2 else { return nil }
        let fields = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count), fields.allSatisfy({ $0.count == 2 }),
              let h = Int(fields[0]), let m = Int(fields[1]) else { return nil }
        let s = fields.count == 3 ? Int(fields[2]) : 0
        guard let s else { return nil }
        return date(day, hour: h, minute: m, second: s)
    }
}
