import Foundation
import Testing

/// Triage through the CLI: recipients as a metric, the most severe alert first with what to do next, silences.
@Suite struct TriageEndToEndTests {
    static let today = "2026-11-27"
    static let now = "2026-11-27T18:00"

    /// A BCC run: 3 messages of 900 recipients each stays far under a message limit, but the recipients detector
    /// fires on 2700 against a usual 2 a day.
    @Test(arguments: EvidenceHarness.stores)
    func recipientsMetricCatchesABCCRun(_ store: String) throws {
        let h = try EvidenceHarness(store: store, detectors: [
            ["type": "percent-over-average", "days": 5, "percent": 300, "floor": 50],
            ["type": "percent-over-average", "name": "recipients-over-average", "metric": "recipients",
             "days": 5, "percent": 300, "floor": 200],
        ])
        for day in ["2026-11-20", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"] {
            try h.send(2, user: "events@example.org", on: day, rcpt: 1)
            try h.send(4, user: "carol@example.org", on: day, rcpt: 60)
        }
        try h.send(3, user: "events@example.org", on: Self.today, rcpt: 900)
        try h.send(4, user: "carol@example.org", on: Self.today, rcpt: 60)
        let run = try h.mvpipe(["run", "--now", Self.now])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(EvidenceHarness.headlines(run) == ["- events@example.org: 3 messages on 2026-11-27 (2700 recipients), average 2 per working day, allowed 50"], "\(run.stdout)")
        #expect(run.stdout.contains("fired: recipients-over-average: recipients: 2700 > allowed 200"), "\(run.stdout)")
        let check = try h.mvpipe(["check", "--now", Self.now])
        #expect(check.stdout.contains("  - [recipients-over-average] percent-over-average") && check.stdout.contains("(counting recipients)"), "\(check.stdout)")
        // explain shows both verdicts, each in its own unit.
        let explain = try h.mvpipe(["explain", "events@example.org", "--now", Self.now])
        #expect(explain.stdout.contains("[percent-over-average] quiet: 3 <= allowed 50"), "\(explain.stdout)")
        #expect(explain.stdout.contains("[recipients-over-average] FIRES: recipients: 2700 > allowed 200"), "\(explain.stdout)")
    }

    /// A sub-day detector counts messages per 5 minutes only: asking it for recipients is a config error.
    @Test func recipientsMetricOnBurstIsAConfigError() throws {
        let h = try EvidenceHarness(store: "sqlite", detectors: [["type": "burst", "metric": "recipients"]])
        let check = try h.mvpipe(["check", "--now", Self.now])
        #expect(check.status == 78, "\(check.stdout) \(check.stderr)")
        #expect(check.stderr.contains("$.detectors[0].metric"), "\(check.stderr)")
        let bad = try EvidenceHarness(store: "sqlite", detectors: [["type": "hard-cap", "metric": "bytes"]])
        let checkBad = try bad.mvpipe(["check"])
        #expect(checkBad.status == 78)
        #expect(checkBad.stderr.contains("expected \"messages\" or \"recipients\""), "\(checkBad.stderr)")
    }

    /// The report lists the user furthest over the limit first (not alphabetically), and ends with next steps.
    @Test(arguments: EvidenceHarness.stores)
    func mostSevereFirstThenWhatToDo(_ store: String) throws {
        let h = try EvidenceHarness(store: store, detectors: [["type": "hard-cap", "limit": 10]])
        try h.send(15, user: "amy@example.org", on: Self.today)      // 1.5 × the limit
        try h.send(80, user: "zed@example.org", on: Self.today)      // 8 ×
        try h.send(30, user: "mia@example.org", on: Self.today)      // 3 ×
        let run = try h.mvpipe(["run", "--now", Self.now])
        #expect(run.status == 0, "\(run.stderr)")
        let users = EvidenceHarness.headlines(run).map { $0.split(separator: ":")[0] }
        #expect(users == ["- zed@example.org", "- mia@example.org", "- amy@example.org"], "\(run.stdout)")
        let next = try #require(run.stdout.range(of: "What to do next:"))
        #expect(run.stdout[next.lowerBound...].contains("mvpipe explain --config FILE USER"))
        #expect(run.stdout[next.lowerBound...].contains("mvpipe silence --config FILE USER --until YYYY-MM-DD"))
        #expect(run.stdout[next.lowerBound...].contains("\"postfix-hold\" notifier"))
        #expect(run.stdout.range(of: "- amy@example.org")!.lowerBound < next.lowerBound)
    }

    /// A silenced user is counted and explained but raises no alert until the silence ends; unsilence ends it.
    @Test(arguments: EvidenceHarness.stores)
    func silenceSuppressesAlertsUntilItEnds(_ store: String) throws {
        let h = try EvidenceHarness(store: store, detectors: [["type": "hard-cap", "limit": 10]])
        try h.send(50, user: "news@example.org", on: Self.today)
        try h.send(20, user: "amy@example.org", on: Self.today)

        let before = try h.mvpipe(["silence", "news@example.org", "--until", "2026-11-26", "--reason", "x", "--now", Self.now])
        #expect(before.status == 64, "\(before.stdout) \(before.stderr)")
        #expect(before.stderr.contains("is before today"))
        let silence = try h.mvpipe(["silence", "news@example.org", "--until", "2026-11-28", "--reason", "monthly mailing", "--now", Self.now])
        #expect(silence.status == 0, "\(silence.stderr)")
        #expect(silence.stdout.contains("silenced news@example.org through 2026-11-28"))

        let list = try h.mvpipe(["silences", "--now", Self.now])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("2026-11-28  active  2026-11-27  news@example.org: monthly mailing"), "\(list.stdout)")

        let check = try h.mvpipe(["check", "--now", Self.now])
        #expect(check.stdout.contains("silences: 1 user(s) silenced (no alerts); the first silence ends after 2026-11-28 (news@example.org: monthly mailing)"), "\(check.stdout)")

        let run = try h.mvpipe(["run", "--now", Self.now, "--log-level", "info"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(EvidenceHarness.headlines(run).map { $0.split(separator: ":")[0] } == ["- amy@example.org"], "\(run.stdout)")
        #expect(run.stderr.contains("news@example.org would alert but is silenced until 2026-11-28"), "\(run.stderr)")

        let explain = try h.mvpipe(["explain", "news@example.org", "--now", Self.now])
        #expect(explain.stdout.contains("verdict: ALERT"), "\(explain.stdout)")
        #expect(explain.stdout.contains("silence: silenced through 2026-11-28: counted, but no alert (monthly mailing)"), "\(explain.stdout)")
        let counts = try h.mvpipe(["counts", "--now", Self.now, "--json"])
        #expect(counts.stdout.contains("\"user\":\"news@example.org\""), "\(counts.stdout)")

        // The day after the silence's last day, it no longer holds.
        try h.send(60, user: "news@example.org", on: "2026-11-29")
        let after = try h.mvpipe(["run", "--now", "2026-11-29T18:00"])
        #expect(EvidenceHarness.headlines(after).map { $0.split(separator: ":")[0] } == ["- news@example.org"], "\(after.stdout)")
        let ended = try h.mvpipe(["silences", "--now", "2026-11-29T18:00"])
        #expect(ended.stdout.contains("2026-11-28  ended "), "\(ended.stdout)")

        // unsilence ends a silence at once.
        _ = try h.mvpipe(["silence", "amy@example.org", "--until", "2026-12-31", "--reason", "r", "--now", "2026-11-29T18:00"])
        try h.send(20, user: "amy@example.org", on: "2026-11-29")
        let quiet = try h.mvpipe(["run", "--now", "2026-11-29T18:10"])
        #expect(EvidenceHarness.headlines(quiet).isEmpty, "\(quiet.stdout)")
        let unsilence = try h.mvpipe(["unsilence", "amy@example.org"])
        #expect(unsilence.status == 0, "\(unsilence.stderr)")
        #expect(unsilence.stdout.contains("unsilenced amy@example.org"))
        let again = try h.mvpipe(["unsilence", "amy@example.org"])
        #expect(again.stdout.contains("amy@example.org was not silenced"))
        let loud = try h.mvpipe(["run", "--now", "2026-11-29T18:20"])
        #expect(EvidenceHarness.headlines(loud).map { $0.split(separator: ":")[0] } == ["- amy@example.org"], "\(loud.stdout)")
    }
}
