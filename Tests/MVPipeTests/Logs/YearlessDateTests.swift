import Foundation
import Testing

/// Year-less syslog stamps (`Feb 10 10:00:00`) are never dated more than a day after the run's time: a line from
/// eleven months ago read in January is last year's, not next month's.
@Suite struct YearlessDateTests {
    /// One authenticated submission with a traditional syslog stamp (`Feb 10 10:00:00`, day padded with a space).
    static func message(_ n: Int, user: String, stamp: String) -> String {
        let q = PostfixLines.queueID(n)
        return "\(stamp) mx postfix/submission/smtpd[2001]: \(q): client=mua.example.net[192.0.2.10], sasl_method=PLAIN, sasl_username=\(user)\n"
            + "\(stamp) mx postfix/qmgr[1999]: \(q): from=<\(user)>, size=1234, nrcpt=1 (queue active)\n"
            + "\(stamp) mx postfix/qmgr[1999]: \(q): removed\n"
    }

    @Test func aLineFromElevenMonthsAgoReadInJanuaryIsLastYears() throws {
        let harness = try MaillogHarness(postfix: ["mail.log*"])
        try harness.write("mail.log.1", Self.message(1, user: "feb@example.org", stamp: "Feb 10 10:00:00")
                          + Self.message(2, user: "dec@example.org", stamp: "Dec 31 23:00:00"))
        try harness.write("mail.log", Self.message(3, user: "today@example.org", stamp: "Jan 15 11:00:00")
                          + Self.message(4, user: "skewed@example.org", stamp: "Jan 15 13:30:00")
                          + Self.message(5, user: "ahead@example.org", stamp: "Jan 17 09:00:00"))
        func counts(_ day: String) throws -> [String: MaillogCount] {
            let result = try CLIRunner.run(["counts", "--config", harness.configPath, "--now", "2027-01-15T12:00", "--day", day, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try MaillogHarness.parse(result)
        }
        let one = MaillogCount(messages: 1, recipients: 1)
        #expect(try counts("2026-02-10") == ["feb@example.org": one])
        #expect(try counts("2027-02-10").isEmpty, "never dated after the run")
        #expect(try counts("2026-12-31") == ["dec@example.org": one])
        // Within a day ahead of the run is clock skew (this year); further ahead is last year.
        #expect(try counts("2027-01-15") == ["today@example.org": one, "skewed@example.org": one])
        #expect(try counts("2026-01-17") == ["ahead@example.org": one])
        #expect(try counts("2027-01-17").isEmpty)
    }
}
