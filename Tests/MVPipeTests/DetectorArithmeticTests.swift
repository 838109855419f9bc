import Foundation
import Testing
@testable import Detectors
@testable import Pipeline

/// z-score and burst on hand-computed histories.
@Suite struct DetectorArithmeticTests {
    static let utc = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
    let context = PluginContext(calendar: DetectorArithmeticTests.utc, baseDirectory: "/", environment: [:],
                                logger: .init(label: "test"), hostName: "test")

    func make<D: Detector>(_ type: D.Type, _ json: [String: JSONValue]) throws -> D {
        var reader = try OptionsReader(.object(json), path: "$", specs: D.Options.specs, context: context)
        let options = try D.Options(reading: &reader, context: context)
        try reader.finish()
        return try D(options: options, context: context)
    }

    func input(_ today: Int, _ history: [Int], day: Day = Day("2026-11-25")!) -> DetectorInput {
        DetectorInput(user: "u", day: day, messages: today,
                      history: history.enumerated().map { DayCount(day: day.adding(days: -1 - $0.offset), messages: $0.element) })
    }

    @Test func zScoreMean() throws {
        let z = try make(ZScore.self, ["days": 5, "threshold": 3, "min_history": 3, "min_messages": 20])
        // 10, 20, 30, 40, 50: mean 30, sample std 15.811…; limit 30 + 3 × 15.81 = 77.4 → allowed 77.
        let at77 = z.evaluate(input(77, [10, 20, 30, 40, 50]))
        #expect(at77.fired == false)
        #expect(at77.allowed == 77)
        #expect(abs(at77.metrics["spread"]! - 15.811_388) < 0.000_01)
        let at78 = z.evaluate(input(78, [10, 20, 30, 40, 50]))
        #expect(at78.fired)
        #expect(abs(at78.metrics["z"]! - 3.035_8) < 0.000_1)
    }

    @Test func zScoreMedianIgnoresOneSpike() throws {
        let mean = try make(ZScore.self, ["days": 7, "min_history": 3])
        let median = try make(ZScore.self, ["days": 7, "min_history": 3, "method": "median"])
        let history = [30, 32, 28, 900, 31, 29, 30] // one huge day poisons the mean
        // median 30, deviations 0,2,2,870,1,1,0 → MAD 1 → spread 1.4826; limit 34.4 → 35 fires.
        #expect(median.evaluate(input(35, history)).fired)
        #expect(median.evaluate(input(34, history)).fired == false)
        #expect(mean.evaluate(input(300, history)).fired == false)
    }

    @Test func zScoreNeedsHistoryAndHasASpreadFloor() throws {
        let z = try make(ZScore.self, ["days": 10])
        let zeros = z.evaluate(input(500, Array(repeating: 0, count: 10)))
        #expect(zeros.fired == false)
        #expect(zeros.reason.contains("not judged"))
        #expect(zeros.reason.contains("min_history"))
        // A perfectly flat history: std 0, floored at 1: 20 flat → limit 23.
        let flat = try make(ZScore.self, ["days": 10, "min_messages": 0])
        #expect(flat.evaluate(input(23, Array(repeating: 20, count: 10))).fired == false)
        #expect(flat.evaluate(input(24, Array(repeating: 20, count: 10))).fired)
        // min_messages keeps tiny users quiet: 0,0,…,1 history, 15 today has z ≫ 3 but < 20 messages.
        #expect(z.evaluate(input(15, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])).fired == false)
    }

    func buckets(_ entries: [(Day, Int, Int, Int)], calendar: WorkCalendar) -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for (day, hour, minute, count) in entries {
            result[TimeBuckets.start(of: calendar.date(day, hour: hour, minute: minute)!), default: 0] += count
        }
        return result
    }

    @Test func burstComparesTheTrailingWindowWithTheBusiestPastWindow() throws {
        let burst = try make(Burst.self, ["window_minutes": 60, "factor": 3, "floor": 50, "days": 3])
        let today = Day("2026-11-25")!
        let history = [today.adding(days: -1), today.adding(days: -2), today.adding(days: -3)]
        // Past: a busiest hour of 30 (09:00–09:55) on the 23rd; 40 spread over a day on others.
        var entries: [(Day, Int, Int, Int)] = [(history[2], 9, 0, 10), (history[2], 9, 30, 10), (history[2], 9, 55, 10), (history[2], 11, 0, 10)]
        for hour in 8..<16 { entries.append((history[0], hour, 0, 5)); entries.append((history[1], hour, 0, 5)) }
        // Today: 1 at 09:05, then 90 from 09:40 to 10:05, 9 more at 10:10.
        entries += [(today, 9, 5, 1), (today, 9, 40, 40), (today, 10, 0, 30), (today, 10, 5, 20), (today, 10, 10, 9)]
        var input = DetectorInput(user: "u", day: today, messages: 100,
                                  history: history.map { DayCount(day: $0, messages: 40) },
                                  now: Self.utc.date(today, hour: 10, minute: 7)!, calendar: Self.utc,
                                  buckets: buckets(entries, calendar: Self.utc))
        // limit = max(50, 3 × 30) = 90; at 10:07 the window holds the buckets 09:10…10:05, not 09:05.
        let at1007 = burst.evaluate(input)
        #expect(at1007.metrics["peak"] == 30)
        #expect(at1007.metrics["limit"] == 90)
        #expect(at1007.metrics["window_messages"] == 90)
        #expect(at1007.fired == false)
        input.now = Self.utc.date(today, hour: 10, minute: 12)!
        let at1012 = burst.evaluate(input)
        #expect(at1012.metrics["window_messages"] == 99)
        #expect(at1012.fired)
        // Whole-day judgement (backtest) sees the busiest hour of the day.
        input.wholeDay = true
        #expect(burst.evaluate(input).metrics["window_messages"] == 99)
    }

    @Test func burstFloorForNewUsers() throws {
        let burst = try make(Burst.self, [:])
        let today = Day("2026-11-25")!
        let input = DetectorInput(user: "u", day: today, messages: 51, history: [],
                                  now: Self.utc.date(today, hour: 12, minute: 0)!, calendar: Self.utc,
                                  buckets: buckets([(today, 11, 30, 51)], calendar: Self.utc))
        #expect(burst.evaluate(input).fired)
    }

    @Test func burstPeakUsesLocalDayBoundariesOnDSTDays() throws {
        let amsterdam = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
        let context = PluginContext(calendar: amsterdam, baseDirectory: "/", environment: [:], logger: .init(label: "t"), hostName: "t")
        var reader = try OptionsReader(.object(["days": 1, "floor": 0, "factor": 1]), path: "$", specs: Burst.Options.specs, context: context)
        let burst = try Burst(options: try Burst.Options(reading: &reader, context: context), context: context)
        // Sunday 2026-10-25 has 25 hours. 40 messages at 00:30 local (22:30 UTC the day before) belong
        // to the 25th, 70 at 23:30 local on the 25th too.
        let dst = Day("2026-10-25")!
        let entries: [Int64: Int] = [
            TimeBuckets.start(of: amsterdam.date(dst, hour: 0, minute: 30)!): 40,
            TimeBuckets.start(of: amsterdam.date(dst, hour: 23, minute: 30)!): 70,
            TimeBuckets.start(of: amsterdam.date(dst.adding(days: 1), hour: 0, minute: 10)!): 500,
        ]
        let next = dst.adding(days: 1)
        let input = DetectorInput(user: "u", day: next, messages: 500, history: [DayCount(day: dst, messages: 110)],
                                  now: amsterdam.date(next, hour: 0, minute: 15)!, calendar: amsterdam, buckets: entries)
        let verdict = burst.evaluate(input)
        #expect(verdict.metrics["peak"] == 70)
        #expect(verdict.metrics["window_messages"] == 570)
    }

    @Test func userPatterns() {
        #expect(UserPattern("*@lists.example.org").matches("news@lists.example.org"))
        #expect(UserPattern("*@lists.example.org").matches("NEWS@Lists.Example.org"))
        #expect(!UserPattern("*@lists.example.org").matches("news@lists.example.org.evil.test"))
        #expect(UserPattern("invoices@example.org").matches("invoices@example.org"))
        #expect(!UserPattern("invoices@example.org").matches("invoices@example.orgx"))
        #expect(UserPattern("a?c*z").matches("abcxyz"))
        #expect(!UserPattern("a?c*z").matches("acxyz"))
        #expect(UserPattern("[x]*").matches("[x]yz"))
        #expect(UserPattern("*").matches(""))
    }
}
