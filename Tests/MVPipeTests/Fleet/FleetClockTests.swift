#if canImport(PostgresStore)  // not in builds made with MVPIPE_WITHOUT_POSTGRES (CI's sanitized runs)
import Foundation
import Pipeline
import Testing

/// Relays whose clocks disagree by a few minutes, through the CLI: each relay's log is stamped by its own clock and
/// each relay's `mvpipe run` runs at its own idea of now (`--now`), so around midnight the relays disagree on what
/// "today" is. A message counts on the day its relay stamped it, once; the fleet's days neither split nor double.
@Suite(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
struct FleetClockTests {
    /// The offset of each relay's clock from the true time, in minutes: mx1 right, mx2 7 behind, mx3 4 ahead.
    static let offsets = [0, -7, 4]

    /// `"2026-11-19T23:57"` for `minute` minutes from midnight between 2026-11-19 and 2026-11-20.
    static func clock(_ minute: Int) -> String {
        let day = minute < 0 ? "2026-11-19" : "2026-11-20"
        let inDay = (minute + 1440) % 1440
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day)T\(two(inDay / 60)):\(two(inDay % 60))"
    }

    /// One submission by `user` (queue id `n`) stamped `minute` from midnight (seconds 00 and 01 of that minute).
    static func message(_ n: Int, user: String, minute: Int) -> String {
        PostfixLines.message(n, user: user, at: 0).replacingOccurrences(of: "2026-11-20T10:00:", with: clock(minute) + ":")
    }

    /// From 23:36 to 00:23 true time alice sends 3 messages a minute through each relay (144 a relay); bob one a
    /// minute through mx1. Every few minutes each relay appends what it logged since and runs at its own clock
    /// (23:50, 00:00, 00:05, 00:10, 00:24 true time; mx2, 7 minutes behind, last in each round, so it is the relay
    /// that judges 2026-11-19 after midnight). By the stamps: 2026-11-19 has alice 72 + 93 + 60 = 225, 2026-11-20
    /// has 72 + 51 + 84 = 207, both over `hard-cap` 200 and under twice that: one alert each day, delivered once per
    /// notifier, and `counts` on every relay shows those sums.
    @Test func aRelayWhoseClockIsAFewMinutesOffDoesNotSplitOrDoubleADay() throws {
        let fleet = try FleetOutageTests.LogFleet()
        var logged = -24  // true minutes before this one are in the logs
        for round in [-10, 0, 5, 10, 24] {
            for relay in [0, 2, 1] {
                let offset = Self.offsets[relay]
                var text = ""
                for minute in logged..<round {
                    for k in 0..<3 {
                        text += Self.message(10 * (minute + 100) + k, user: "alice@example.org", minute: minute + offset)
                    }
                    if relay == 0 { text += Self.message(10 * (minute + 100) + 5, user: "bob@example.org", minute: minute) }
                }
                try fleet.append(relay, text: text)
                let result = try fleet.run(relay, ["run", "--now", Self.clock(round + offset)])
                #expect(result.status == 0, "round \(round), relay \(relay): \(result.stderr)")
            }
            logged = round
        }
        let session = try TestPostgres.session(fleet.url)
        var perRelay: [String: Int] = [:]
        for row in try session.rows("SELECT relay || ' ' || day, sum(messages)::bigint FROM volume WHERE \"user\" = 'alice@example.org' GROUP BY 1") {
            let (key, count) = try row.decode((String, Int64).self)
            perRelay[key] = Int(count)
        }
        #expect(perRelay == ["mx1.example.org 2026-11-19": 72, "mx2.example.org 2026-11-19": 93, "mx3.example.org 2026-11-19": 60,
                             "mx1.example.org 2026-11-20": 72, "mx2.example.org 2026-11-20": 51, "mx3.example.org 2026-11-20": 84])
        var alerts: [String: Int] = [:]
        for row in try session.rows("SELECT day, count(*) FROM alert WHERE \"user\" = 'alice@example.org' GROUP BY day") {
            let (day, count) = try row.decode((String, Int64).self)
            alerts[day] = Int(count)
        }
        #expect(alerts == ["2026-11-19": 1, "2026-11-20": 1])
        #expect(try session.rows("SELECT count(*) FROM alert WHERE \"user\" <> 'alice@example.org'").first!.decode(Int64.self) == 0)
        for notifier in ["a", "b"] {
            let sent = fleet.sent(notifier)
            #expect(sent.count == 2 && sent.allSatisfy { $0.contains("alice@example.org") }, "notifier \(notifier) sent: \(sent)")
        }
        for (day, alice, bob) in [("2026-11-19", 225, 24), ("2026-11-20", 207, 24)] {
            for relay in 0..<3 {
                let counts = try fleet.run(relay, ["counts", "--day", day, "--json", "--now", Self.clock(30 + Self.offsets[relay])])
                #expect(counts.status == 0, "\(counts.stderr)")
                var got: [String: Int] = [:]
                for line in counts.lines {
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                    got[object["user"] as! String] = object["messages"] as? Int
                }
                #expect(got == ["alice@example.org": alice, "bob@example.org": bob], "\(day) on relay \(relay)")
            }
        }
    }
}
#endif
