import Pipeline
import Testing
@testable import Sources

@Suite struct LogTimestampTests {
    @Test func traditionalSpacePaddedDay() throws {
        let line = "Nov  5 14:46:22 mail postfix/qmgr[1999]: BBEEFFA1FC: removed"
        let t = try #require(lpStamp(line))
        #expect(t.year == nil)
        #expect(t.month == 11 && t.day == 5 && t.hour == 14 && t.minute == 46 && t.second == 22)
        #expect(t.utcOffsetSeconds == nil)
        #expect(t.style == .traditional)
        #expect(t.hostRange == 16..<20)
        #expect(lpText(Array(line.utf8), t.restOffset..<(t.restOffset + 12)) == "postfix/qmgr")
    }

    @Test func traditionalTwoDigitDay() throws {
        let t = try #require(lpStamp("Dec 31 23:59:59 vm postfix/master[1]: daemon started"))
        #expect(t.month == 12 && t.day == 31 && t.second == 59)
        #expect(t.style == .traditional)
        #expect(t.restOffset == 19)
    }

    @Test func zeroPaddedMaillogFile() throws {
        let t = try #require(lpStamp("Nov 05 14:46:22 mail postfix/pickup[4789]: 4jcrTn48jjz7hwN: uid=0 from=<root@example.org>"))
        #expect(t.day == 5 && t.style == .zeroPadded && t.year == nil)
        #expect(t.restOffset == 21)
    }

    @Test func rfc3339WithFractionAndOffset() throws {
        let line = "2026-11-29T14:46:22.123456+01:00 vm postfix/qmgr[4523]: DD8DCFA28F: removed"
        let t = try #require(lpStamp(line))
        #expect(t.year == 2026 && t.month == 11 && t.day == 29)
        #expect(t.hour == 14 && t.minute == 46 && t.second == 22)
        #expect(t.utcOffsetSeconds == 3600)
        #expect(t.style == .rfc3339)
        #expect(lpText(Array(line.utf8), t.hostRange) == "vm")
    }

    @Test func rfc3339ZuluAndNegativeAndNoFraction() throws {
        let z = try #require(lpStamp("2026-01-02T03:04:05Z mx postfix/qmgr[1]: removed"))
        #expect(z.utcOffsetSeconds == 0 && z.second == 5 && z.restOffset == 24)
        let n = try #require(lpStamp("2026-01-02T03:04:05-05:30 mx x: y"))
        #expect(n.utcOffsetSeconds == -(5 * 3600 + 30 * 60))
        let micro = try #require(lpStamp("2026-11-29T15:21:24.907564+00:00 vm postfix/qmgr[1]: x"))
        #expect(micro.utcOffsetSeconds == 0)
    }

    @Test(arguments: [
        "",
        "garbage line without a stamp",
        "Foo  5 14:46:22 mail postfix/qmgr[1]: x",
        "Nov 32 14:46:22 mail postfix/qmgr[1]: x",
        "Nov  5 24:00:00 mail postfix/qmgr[1]: x",
        "Nov  5 14:46 mail postfix/qmgr[1]: x",
        "Nov  5 14:46:22",
        "Nov  5 14:46:22 ",
        "2026-13-29T14:46:22Z host x",
        "2026-11-29T14:46:22 host x",
        "2026-11-29T14:46:22.+01:00 host x",
        "2026-11-29T14:46:22+0100 host x",
        "2026-11-29 14:46:22Z host x",
    ])
    func rejectsBadStamps(_ line: String) {
        #expect(lpStamp(line) == nil)
    }

    @Test func truncatedAfterHostKeepsStamp() throws {
        let t = try #require(lpStamp("Nov  5 14:46:22 mail"))
        #expect(t.restOffset == 20)
    }

    @Test func asspStamp() throws {
        let line = Array("Nov-29-26 14:46:22 [Worker_1] Connected".utf8)
        let t = try #require(line.withUnsafeBufferPointer { LogTimestamp.parseASSP($0) })
        #expect(t.year == 2026 && t.month == 11 && t.day == 29 && t.hour == 14)
        #expect(t.style == .assp && t.restOffset == 19)
        #expect(Array("Nov 29 26 14:46:22 x".utf8).withUnsafeBufferPointer { LogTimestamp.parseASSP($0) } == nil)
    }

    @Test func yearInference() {
        // The run: 2027-01-15 12:00 local.
        let run = LogTimestamp.YearReference(wallSeconds: Int64(Day("2027-01-15")!.dayNumber) * 86_400 + 12 * 3600)
        #expect(run.year == 2027)
        func year(_ month: Int, _ day: Int, _ hour: Int) -> Int {
            LogTimestamp.inferYear(month: month, day: day, secondOfDay: hour * 3600, reference: run)
        }
        // A December line read in January is last year's; so is next month's date (eleven months ago).
        #expect(year(12, 31, 23) == 2026)
        #expect(year(2, 10, 10) == 2026)
        // Earlier this year, and up to a day ahead (clock skew, another host's time zone): this year.
        #expect(year(1, 1, 0) == 2027)
        #expect(year(1, 15, 11) == 2027)
        #expect(year(1, 16, 11) == 2027)
        // More than a day ahead: last year's.
        #expect(year(1, 16, 13) == 2026)
        #expect(year(1, 17, 9) == 2026)
        // 29 February is compared as 1 March (and refused later when the year has none).
        #expect(year(2, 29, 0) == 2026)
    }

    @Test func resolvedYearPrefersStampYear() throws {
        let r = try #require(lpStamp("2025-12-31T23:59:59Z h x: y"))
        let january = LogTimestamp.YearReference(wallSeconds: Int64(Day("2027-01-05")!.dayNumber) * 86_400)
        #expect(r.resolvedYear(january) == 2025)
        let t = try #require(lpStamp("Dec 31 23:59:59 h x: y"))
        #expect(t.resolvedYear(january) == 2026)
    }
}
