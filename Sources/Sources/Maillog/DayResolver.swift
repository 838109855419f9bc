import Foundation
import Pipeline

/// Turns log timestamps into the site's local days, fast enough to run on every counted line.
///
/// - Year-less syslog stamps (`Nov  5 14:46:22`, `Nov 05 14:46:22`) are local wall-clock time: the day is taken
///   as written, the year inferred from the run's time (``LogTimestamp/inferYear(month:day:secondOfDay:reference:)``:
///   this year's unless that is more than a day after the run, so `Feb 10` read on 2027-01-15 is 2026-02-10).
/// - RFC 3339 stamps carry their offset: the instant is converted into the calendar's time zone.
/// - ASSP stamps carry a two-digit year and are local wall-clock time.
struct DayResolver {
    /// The site's calendar.
    let calendar: WorkCalendar
    /// The run's local date and time, for year-less stamps.
    let reference: LogTimestamp.YearReference
    private var cachedStart: Int64 = 1
    private var cachedEnd: Int64 = 0
    private var cachedDay = Day(dayNumber: 0)

    /// A resolver for a run at `now`.
    init(calendar: WorkCalendar, now: Date) {
        self.calendar = calendar
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        reference = LogTimestamp.YearReference(wallSeconds: seconds + Int64(calendar.timeZone.secondsFromGMT(for: now)))
    }

    /// The local day of `stamp`, or nil when it names no real date (29 February of an inferred common year).
    mutating func day(of stamp: LogTimestamp) -> Day? {
        guard stamp.utcOffsetSeconds != nil else {
            let year = stamp.resolvedYear(reference)
            return Day(year: year, month: stamp.month, day: stamp.day)
        }
        guard let instant = seconds(of: stamp) else { return nil }
        if instant >= cachedStart && instant < cachedEnd { return cachedDay }
        let day = calendar.day(of: Date(timeIntervalSince1970: TimeInterval(instant)))
        cachedDay = day
        cachedStart = Int64(calendar.start(of: day).timeIntervalSince1970)
        cachedEnd = Int64(calendar.start(of: day.adding(days: 1)).timeIntervalSince1970)
        if !(instant >= cachedStart && instant < cachedEnd) {
            cachedStart = 1
            cachedEnd = 0
        }
        return day
    }

    private var offsetCache: [Int64: Int64] = [:]

    /// The real instant (seconds since 1970) of `stamp`: RFC 3339 stamps carry their offset; year-less
    /// and ASSP stamps are wall-clock time in the calendar's time zone (the offset is looked up once per hour).
    mutating func instant(of stamp: LogTimestamp) -> Int64? {
        guard let wall = seconds(of: stamp) else { return nil }
        if stamp.utcOffsetSeconds != nil { return wall }
        let hourKey = wall - ((wall % 3600) + 3600) % 3600
        if let offset = offsetCache[hourKey] { return wall - offset }
        let day = Day(dayNumber: Int(hourKey / 86_400))
        let hour = Int((hourKey % 86_400) / 3600)
        guard let date = calendar.date(day, hour: hour, minute: 0) else { return nil }
        let offset = hourKey - Int64(date.timeIntervalSince1970)
        if offsetCache.count > 10_000 { offsetCache.removeAll() }
        offsetCache[hourKey] = offset
        return wall - offset
    }

    /// Seconds since 1970 for ordering and ageing in-flight state: exact for RFC 3339 stamps, the wall-clock
    /// time read as UTC for the others (consistent within one log, which is all ageing needs).
    func seconds(of stamp: LogTimestamp) -> Int64? {
        let year = stamp.resolvedYear(reference)
        guard let day = Day(year: year, month: stamp.month, day: stamp.day) else { return nil }
        let local = Int64(day.dayNumber) * 86_400 + Int64(stamp.hour * 3600 + stamp.minute * 60 + stamp.second)
        return local - Int64(stamp.utcOffsetSeconds ?? 0)
    }
}
