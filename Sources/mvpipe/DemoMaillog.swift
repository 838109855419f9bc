import Foundation
import Pipeline

/// Generates the demo's Postfix submission log for a second domain: ordinary logins from their office addresses,
/// a stolen password used from new addresses, and a BCC run (few messages, many recipients each).
enum DemoMaillog {
    static let stolenToday = 405
    static let bccMessages = 4
    static let bccRecipients = 600

    /// Logins, their usual messages per working day and recipients per message.
    static let logins: [(String, Int, Int)] = [
        ("m.smith@example.net", 20, 1), ("events@example.net", 3, 2), ("office@example.net", 30, 2),
    ]

    /// Writes `days` days of log up to `now` into `path`; returns the messages written.
    static func write(to path: String, now: Date, calendar: WorkCalendar, days: Int = 28) throws -> Int {
        var rng = SplitMix(seed: 20261206)
        var text = ""
        var queue = 0x5A000
        var written = 0
        let today = calendar.day(of: now)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // RFC 3339 in UTC, as rsyslog's high-precision format writes it.
        func stamp(_ date: Date) -> String { formatter.string(from: date).replacingOccurrences(of: "Z", with: "+00:00") }
        func message(_ user: String, ip: String, rcpt: Int, at date: Date) {
            queue += 1
            let hex = String(queue, radix: 16, uppercase: true)
            let qid = "D" + String(repeating: "0", count: max(0, 9 - hex.count)) + hex  // Postfix's short queue IDs
            let t = stamp(date)
            text += "\(t) mx postfix/submission/smtpd[2001]: \(qid): client=client.example.net[\(ip)], sasl_method=PLAIN, sasl_username=\(user)\n"
            text += "\(t) mx postfix/qmgr[1999]: \(qid): from=<\(user)>, size=2345, nrcpt=\(rcpt) (queue active)\n"
            text += "\(t) mx postfix/qmgr[1999]: \(qid): removed\n"
            written += 1
        }
        for offset in stride(from: days, through: 0, by: -1) {
            let day = today.adding(days: -offset)
            let start = calendar.start(of: day)
            // Today's mail is spread up to now; other days' over office hours.
            let from = offset == 0 ? start : start.addingTimeInterval(8 * 3600)
            let span = offset == 0 ? max(60, now.timeIntervalSince(start) - 60) : 9 * 3600
            var planned: [(String, String, Int)] = []
            for (index, (user, usual, rcpt)) in logins.enumerated() {
                let base = calendar.isWorkingDay(day) ? usual : usual / 10
                var count = max(0, base + Int(rng.next() % UInt64(max(1, base / 5 + 1))) - base / 10)
                var perMessage = rcpt
                if offset == 0 && user == "events@example.net" { count = bccMessages; perMessage = bccRecipients }
                if offset == 0 && user == "m.smith@example.net" { count = 5 }
                for _ in 0..<count { planned.append((user, "192.0.2.\(10 + index)", perMessage)) }
            }
            if offset == 0 {
                let stolen = ["203.0.113.77", "198.51.100.23", "203.0.113.140"]
                for i in 0..<(stolenToday - 5) { planned.append(("m.smith@example.net", stolen[i % 7 == 0 ? 1 : i % 11 == 0 ? 2 : 0], 1)) }
            }
            for (i, (user, ip, rcpt)) in planned.enumerated() {
                message(user, ip: ip, rcpt: rcpt, at: from.addingTimeInterval(span * Double(i) / Double(max(1, planned.count))))
            }
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return written
    }

}
