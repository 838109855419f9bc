import Foundation
import Pipeline
import Testing

/// Runs at the edges of the clock: either side of midnight, on the DST change days of Europe/Amsterdam and
/// America/New_York, and after the clock jumps back. Counts stay exact, a day's alert is raised once, a new day
/// starts fresh, nothing crashes.
@Suite("clock edges") struct ClockTests {
    /// `2026-03-29T01:30:00+01:00`: RFC 3339 with the zone's offset at that instant, as rsyslog writes it.
    static func stamp(_ date: Date, in zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// One authenticated submission (smtpd client=, qmgr queue active, removed) for `user` at `date`.
    static func message(_ n: Int, user: String, at date: Date, in zone: TimeZone) -> String {
        let s = stamp(date, in: zone), q = PostfixLines.queueID(n)
        return "\(s) mx postfix/submission/smtpd[2001]: \(q): client=mua.example.net[192.0.2.10], sasl_method=PLAIN, sasl_username=\(user)\n"
            + "\(s) mx postfix/qmgr[1999]: \(q): from=<\(user)>, size=1234, nrcpt=1 (queue active)\n"
            + "\(s) mx postfix/qmgr[1999]: \(q): removed\n"
    }

    /// A folder with a config (sources as given, console notifier, the default detectors) in `zone`.
    final class Site {
        let dir: TemporaryDirectory
        let config: String
        let state: StateFile
        var next = 0

        init(zone: String, sources: [[String: Any]]) throws {
            dir = try TemporaryDirectory("mvpipe-clock")
            config = try ConfigFile.write([
                "timezone": zone, "state": dir.file("state.sqlite"), "sources": sources,
                "workdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                "notifiers": [["type": "console"]],
            ], to: dir.file("pipeline.json"))
            state = StateFile(path: dir.file("state.sqlite"))
        }

        /// Appends messages to `mail.log`.
        func log(_ user: String, at dates: [Date], zone: TimeZone) throws {
            var text = ""
            for date in dates {
                text += ClockTests.message(next, user: user, at: date, in: zone)
                next += 1
            }
            let path = dir.file("mail.log")
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        }

        /// `mvpipe run --now NOW --json`: the users alerted on this run.
        func run(_ now: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
            let result = try CLIRunner.run(["run", "--config", config, "--now", now, "--json"])
            #expect(result.status == 0, "run at \(now): \(result.stderr)", sourceLocation: sourceLocation)
            return try result.lines.compactMap { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (object?["user"] as? String).map { "\($0) \(object?["day"] as? String ?? "?")" }
            }
        }

        /// Messages per user on `day` (`counts --day DAY --now NOW`).
        func counts(_ day: String, now: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Int] {
            let result = try CLIRunner.run(["counts", "--config", config, "--day", day, "--now", now, "--json"])
            #expect(result.status == 0, "counts \(day): \(result.stderr)", sourceLocation: sourceLocation)
            return try MaillogHarness.parse(result).mapValues(\.messages)
        }
    }

    @Test func aRunJustBeforeAndJustAfterMidnight() throws {
        let site = try Site(zone: "Europe/Amsterdam", sources: [["type": "assp-archive", "path": "archive"]])
        let archive = try ArchiveBuilder(root: site.dir.file("archive"))
        let day25 = Day("2026-11-25")!, day26 = Day("2026-11-26")!
        try archive.add(250, sender: "spam@example.org", on: day25)
        #expect(try site.run("2026-11-25T23:59:59") == ["spam@example.org 2026-11-25"])

        // Two seconds later: a late writer adds to yesterday, today has its first 30.
        try archive.add(10, sender: "spam@example.org", on: day25)
        try archive.add(30, sender: "spam@example.org", on: day26)
        #expect(try site.run("2026-11-26T00:00:01") == [], "yesterday's alert is not raised again, today is below the limits")
        #expect(try site.counts("2026-11-26", now: "2026-11-26T00:00:01") == ["spam@example.org": 30], "today starts fresh")
        #expect(try site.counts("2026-11-25", now: "2026-11-26T00:00:01") == ["spam@example.org": 260])
        #expect(try !site.state.isFinal(source: "assp-archive", day: "2026-11-25"), "late writers still count in the first minutes")

        // Once the settle time has passed, yesterday is final: never read again.
        #expect(try site.run("2026-11-26T00:06") == [])
        #expect(try site.state.isFinal(source: "assp-archive", day: "2026-11-25"))
        try archive.add(5, sender: "spam@example.org", on: day25)
        #expect(try site.counts("2026-11-25", now: "2026-11-26T00:07") == ["spam@example.org": 260])

        // Dedup is per day: a spam run today alerts again (sequence 1 of the new day), once.
        try archive.add(300, sender: "spam@example.org", on: day26)
        #expect(try site.run("2026-11-26T00:10") == ["spam@example.org 2026-11-26"])
        #expect(try site.run("2026-11-26T00:15") == [])
        #expect(try site.state.alerts() == ["spam@example.org 2026-11-25 #1", "spam@example.org 2026-11-26 #1"])
    }

    /// (zone, DST change day, hours that day has).
    static let dstDays: [(String, String, Int)] = [
        ("Europe/Amsterdam", "2026-03-29", 23), ("Europe/Amsterdam", "2026-10-25", 25),
        ("America/New_York", "2026-03-08", 23), ("America/New_York", "2026-11-01", 25),
    ]

    @Test(arguments: dstDays)
    func aDSTChangeDayCountsItsOwnHoursAndAlertsOnce(zoneName: String, dayText: String, hours: Int) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let day = try #require(Day(dayText))
        let start = try #require(calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)))
        let end = try #require(calendar.date(byAdding: .day, value: 1, to: start))
        #expect(end.timeIntervalSince(start) == Double(hours) * 3600, "the test's idea of the day")
        let site = try Site(zone: zoneName, sources: [["type": "postfix-log", "paths": ["mail.log"]]])

        // One message every 30 minutes of the real day; the edges a second either side of midnight;
        // a spam run in the hour around the change (02:00-03:00 local repeats or is skipped).
        let steady = stride(from: 0.0, to: end.timeIntervalSince(start), by: 1800).map { start.addingTimeInterval($0) }
        try site.log("steady@example.org", at: steady, zone: zone)
        try site.log("edge@example.org", at: [start.addingTimeInterval(-1), start, end.addingTimeInterval(-1), end], zone: zone)
        let change = start.addingTimeInterval(2 * 3600)
        try site.log("spam@example.org", at: (0..<250).map { change.addingTimeInterval(Double($0) * 14) }, zone: zone)

        let next = day.adding(days: 1).description, previous = day.adding(days: -1).description
        #expect(try site.run("\(dayText)T01:59") == ["spam@example.org \(dayText)"])
        // 02:30 does not exist on a spring day and happens twice on an autumn day: still a valid run, no new alert.
        #expect(try site.run("\(dayText)T02:30") == [])
        #expect(try site.run("\(dayText)T03:30") == [])
        #expect(try site.run("\(dayText)T23:59:59") == [])
        #expect(try site.run("\(next)T00:00:01") == [])
        let counts = try site.counts(dayText, now: "\(next)T00:00:01")
        #expect(counts == ["steady@example.org": 2 * hours, "edge@example.org": 2, "spam@example.org": 250])
        #expect(try site.counts(previous, now: "\(next)T00:00:01") == ["edge@example.org": 1])
        #expect(try site.counts(next, now: "\(next)T00:00:01") == ["edge@example.org": 1])
        #expect(try site.state.alerts() == ["spam@example.org \(dayText) #1"])
    }

    @Test func theClockJumpsBackAnHour() throws {
        let site = try Site(zone: "Europe/Amsterdam", sources: [
            ["type": "postfix-log", "paths": ["mail.log"]], ["type": "assp-archive", "path": "archive"],
        ])
        let zone = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        let archive = try ArchiveBuilder(root: site.dir.file("archive"))
        let day = Day("2026-11-25")!
        let two = try #require(WorkCalendar(timeZone: zone, workdays: [], holidays: []).date(day, hour: 14, minute: 0))
        try site.log("bulk@example.org", at: (0..<150).map { two.addingTimeInterval(Double($0) * 30) }, zone: zone)
        try archive.add(100, sender: "bulk@example.org", on: day)
        #expect(try site.run("2026-11-25T16:00") == ["bulk@example.org 2026-11-25"])

        // The clock is set back an hour; mail logged meanwhile is stamped 15:40.
        try site.log("bulk@example.org", at: (0..<20).map { two.addingTimeInterval(6000 + Double($0)) }, zone: zone)
        #expect(try site.run("2026-11-25T15:00") == [])
        #expect(try site.run("2026-11-25T15:00") == [])
        #expect(try site.run("2026-11-25T16:00") == [])
        #expect(try site.counts("2026-11-25", now: "2026-11-25T16:00") == ["bulk@example.org": 270], "nothing counted twice")

        // Back across midnight: the next day, then the evening before.
        #expect(try site.run("2026-11-26T00:30") == [])
        #expect(try site.run("2026-11-25T23:45") == [])
        #expect(try site.counts("2026-11-25", now: "2026-11-25T23:50") == ["bulk@example.org": 270])
        #expect(try site.state.alerts() == ["bulk@example.org 2026-11-25 #1"])
        #expect(try site.state.integrity() == "ok")
    }
}
