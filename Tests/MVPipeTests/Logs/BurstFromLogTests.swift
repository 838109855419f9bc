import Foundation
import Testing
import Pipeline

/// The burst detector on a Postfix log: a stolen password is caught at the first cron run after
/// the spam starts, from the log's own timestamps; a regular big newsletter is not.
@Suite struct BurstFromLogTests {
    static let calendar = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!, zoneName: "Europe/Amsterdam")

    /// Postfix lines for one submitted message (RFC 3339, as Debian 12's rsyslog writes them).
    static func message(_ n: inout Int, user: String, at date: Date) -> String {
        n += 1
        let queueID = String(format: "%010X", 0xA000_0000 + n)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = calendar.timeZone
        formatter.formatOptions = [.withInternetDateTime]
        let ts = formatter.string(from: date)
        return """
            \(ts) mail postfix/submission/smtpd[4242]: \(queueID): client=pc\(n % 7)[192.0.2.\(n % 200)], sasl_method=PLAIN, sasl_username=\(user)
            \(ts) mail postfix/qmgr[99]: \(queueID): from=<\(user)>, size=1234, nrcpt=1 (queue active)
            \(ts) mail postfix/qmgr[99]: \(queueID): removed

            """
    }

    @Test func burstFiresMinutesAfterTheSpamStarts() throws {
        let dir = try TemporaryDirectory()
        let today = Day("2026-11-25")!
        var n = 0
        var log = ""
        for offset in (1...28).reversed() {
            let day = today.adding(days: -offset)
            guard Self.calendar.isWorkingDay(day) else { continue }
            var lines: [(Date, String)] = []
            for i in 0..<30 { lines.append((Self.calendar.date(day, hour: 8 + i * 16 / 60, minute: (i * 16) % 60)!, "alice@example.org")) }
            for i in 0..<300 { lines.append((Self.calendar.date(day, hour: 9, minute: i / 100, second: i % 60)!, "news@example.org")) }
            for (date, user) in lines.sorted(by: { $0.0 < $1.0 }) { log += Self.message(&n, user: user, at: date) }
        }
        // Today until 09:55: the newsletter at 09:00 and alice's usual morning.
        var morning: [(Date, String)] = (0..<300).map { (Self.calendar.date(today, hour: 9, minute: $0 / 100, second: $0 % 60)!, "news@example.org") }
        morning += (0..<6).map { (Self.calendar.date(today, hour: 8, minute: $0 * 9)!, "alice@example.org") }
        for (date, user) in morning.sorted(by: { $0.0 < $1.0 }) { log += Self.message(&n, user: user, at: date) }
        try dir.write("mail.log", log)
        let config = try ConfigFile.write([
            "timezone": "Europe/Amsterdam", "state": dir.file("state.sqlite"),
            "sources": [["type": "postfix-log", "paths": [dir.file("mail.log")]]],
            "detectors": [["type": "burst", "window_minutes": 60, "factor": 3, "floor": 50, "days": 10],
                          ["type": "percent-over-average"]],
            "notifiers": [["type": "console"]],
        ], to: dir.file("pipeline.json"))

        let quiet = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T09:55", "--json"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.lines.isEmpty, "nothing unusual yet: \(quiet.stdout)")

        // 10:00: 400 messages in 20 minutes start; by the 10:05 run 90 are in the log.
        var spam = ""
        for i in 0..<90 { spam += Self.message(&n, user: "alice@example.org", at: Self.calendar.date(today, hour: 10, minute: i / 18, second: (i * 3) % 60)!) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("mail.log")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(spam.utf8))
        try handle.close()

        let caught = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:05", "--json"])
        #expect(caught.status == 0, "\(caught.stderr)")
        let alerts = try caught.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(alerts.map { $0["user"] as? String } == ["alice@example.org"])
        #expect(alerts.first?["detectors"] as? [String] == ["burst"], "the daily detector has not fired yet: 96 messages")
        #expect(alerts.first?["messages"] as? Int == 96)
        let burst = (alerts.first?["verdicts"] as? [[String: Any]])?.first { $0["detector"] as? String == "burst" }
        let metrics = burst?["metrics"] as? [String: Double]
        #expect(metrics?["window_messages"] == 90)
        #expect(metrics?["limit"] == 50, "alice's busiest past hour holds 4 messages: 3 × 4 < floor 50")
    }
}
