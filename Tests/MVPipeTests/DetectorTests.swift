import Foundation
import Testing
@testable import Detectors
@testable import Pipeline

@Suite struct DetectorTests {
    let context = PluginContext(calendar: WorkCalendar(timeZone: TimeZone(identifier: "UTC")!), baseDirectory: "/",
                                environment: [:], logger: .init(label: "test"), hostName: "test")

    func percent(_ json: [String: JSONValue]) throws -> PercentOverAverage {
        var reader = try OptionsReader(.object(json), path: "$", specs: PercentOverAverage.Options.specs, context: context)
        let options = try PercentOverAverage.Options(reading: &reader, context: context)
        try reader.finish()
        return try PercentOverAverage(options: options, context: context)
    }

    func input(today: Int, history: [Int]) -> DetectorInput {
        let start = Day("2026-11-25")!
        return DetectorInput(user: "u", day: start, messages: today,
                             history: history.enumerated().map { DayCount(day: start.adding(days: -1 - $0.offset), messages: $0.element) })
    }

    @Test func averageCountsEmptyDaysAsZero() throws {
        let detector = try percent([:])
        // 8 days of 100 and 2 empty days: average 80, 150% = 120 > floor 100.
        let history = Array(repeating: 100, count: 8) + [0, 0]
        let at120 = detector.evaluate(input(today: 120, history: history))
        #expect(at120.fired == false)
        #expect(at120.allowed == 120)
        #expect(at120.average == 80)
        #expect(detector.evaluate(input(today: 121, history: history)).fired)
    }

    @Test func skipEmptyDaysAveragesOverDaysWithMail() throws {
        let detector = try percent(["skip_empty_days": .bool(true)])
        let history = Array(repeating: 100, count: 8) + [0, 0]
        let verdict = detector.evaluate(input(today: 150, history: history))
        #expect(verdict.average == 100)
        #expect(verdict.allowed == 150)
        #expect(verdict.fired == false)
        #expect(detector.evaluate(input(today: 151, history: history)).fired)
    }

    @Test func floorProtectsQuietUsersAndNewUsers() throws {
        let detector = try percent([:])
        #expect(detector.evaluate(input(today: 100, history: Array(repeating: 0, count: 10))).fired == false)
        #expect(detector.evaluate(input(today: 101, history: Array(repeating: 0, count: 10))).fired)
        #expect(detector.evaluate(input(today: 101, history: [])).allowed == 100)
    }

    @Test func exactIntegerThreshold() throws {
        // total 1001 over 10 days at 150%: 150.15 → allowed 150.
        let detector = try percent(["floor": .integer(0)])
        let history = [101] + Array(repeating: 100, count: 9)
        #expect(detector.evaluate(input(today: 150, history: history)).fired == false)
        #expect(detector.evaluate(input(today: 151, history: history)).fired)
    }

    @Test func singleSpikeInWindowRaisesTheAverage() throws {
        let detector = try percent(["days": .integer(5)])
        let verdict = detector.evaluate(input(today: 400, history: [10, 1000, 10, 10, 10, 999]))
        // Only 5 days count: (10+1000+10+10+10)/5 = 208, 150% = 312.
        #expect(verdict.allowed == 312)
        #expect(verdict.fired)
    }

    @Test func hardCap() throws {
        var reader = try OptionsReader(.object(["limit": .integer(200)]), path: "$", specs: HardCap.Options.specs, context: context)
        let detector = try HardCap(options: try HardCap.Options(reading: &reader, context: context), context: context)
        #expect(detector.evaluate(input(today: 200, history: [])).fired == false)
        #expect(detector.evaluate(input(today: 201, history: [])).fired)
    }

    @Test func rejectsBadOptions() throws {
        #expect(throws: ConfigError.self) { try percent(["days": .integer(0)]) }
        #expect(throws: ConfigError.self) { try percent(["percent": .string("150")]) }
        #expect(throws: ConfigError.self) { try percent(["percnt": .integer(150)]) }
    }
}
