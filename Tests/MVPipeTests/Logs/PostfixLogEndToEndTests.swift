import Foundation
import Testing
@testable import Sources

/// `mvpipe counts` on postfix-log sources, through the built binary.
@Suite struct PostfixLogEndToEndTests {
    /// What the capture script sent, from expected.json.
    static func expectedUsers() throws -> [String: MaillogCount] {
        let expected = try loadLogParseExpectation()
        return expected.users.mapValues { MaillogCount(messages: $0.messages, recipients: $0.recipients) }
    }

    /// The day the fixtures were captured on. Runs read them at ``fixtureNow``, so year-less stamps are 2026's
    /// whatever the real date.
    static let fixtureDay = "2026-11-29"
    static let fixtureNow = "2026-11-30T12:00"

    @Test(arguments: ["postfix-rsyslog-rfc3339.log", "postfix-rsyslog-traditional.log", "postfix-maillog_file.log"])
    func realPostfixCaptureMatchesWhatWasSent(_ fixture: String) throws {
        let harness = try MaillogHarness()
        try FileManager.default.copyItem(atPath: logParseFixtures.appendingPathComponent(fixture).path,
                                         toPath: harness.file("mail.log"))
        let day = Self.fixtureDay
        let first = try harness.run(day: day, now: Self.fixtureNow)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try MaillogHarness.parse(first) == Self.expectedUsers())
        #expect(!first.stderr.contains("skipped"), "\(first.stderr)")
        // A second run reads nothing new and counts nothing twice.
        #expect(try harness.counts(day: day, now: Self.fixtureNow) == Self.expectedUsers())
    }

    @Test func identitySenderCountsQmgrFromIncludingPickupAndInbound() throws {
        let harness = try MaillogHarness(identity: "sender")
        try FileManager.default.copyItem(atPath: logParseFixtures.appendingPathComponent("postfix-rsyslog-rfc3339.log").path,
                                         toPath: harness.file("mail.log"))
        var expected = try Self.expectedUsers()
        expected["root@example.org"] = MaillogCount(messages: 1, recipients: 1)  // sendmail → pickup
        expected["sender@remote.test"] = MaillogCount(messages: 1, recipients: 1)  // the inbound message on port 25
        #expect(try harness.counts(day: "2026-11-29") == expected)
    }

    @Test func identityClientIPCountsEverySmtpdMessage() throws {
        let harness = try MaillogHarness(identity: "client_ip")
        try FileManager.default.copyItem(atPath: logParseFixtures.appendingPathComponent("postfix-maillog_file.log").path,
                                         toPath: harness.file("mail.log"))
        let sent = try Self.expectedUsers().values
        // Every SASL submission and the one inbound message came from 127.0.0.1; pickup has no client.
        let expected = MaillogCount(messages: sent.reduce(0) { $0 + $1.messages } + 1,
                                    recipients: sent.reduce(0) { $0 + ($1.recipients ?? 0) } + 1)
        #expect(try harness.counts(day: Self.fixtureDay, now: Self.fixtureNow) == ["127.0.0.1": expected])
    }

    @Test func failedLoginsRejectsInboundAndPickupDoNotCount() throws {
        let harness = try MaillogHarness()
        let p = PostfixLines.self
        var log = ""
        // Verbatim shapes from the capture (failed logins carry sasl_username= too).
        log += "\(p.stamp(1)) postfix/submission/smtpd[4797]: warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice@example.org\n"
        log += "\(p.stamp(2)) postfix/smtps/smtpd[4801]: warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob@example.org\n"
        log += "\(p.stamp(3)) postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@remote.test>: Relay access denied; from=<alice@example.org> to=<x@remote.test> proto=ESMTP helo=<spam>\n"
        log += "\(p.stamp(4)) postfix/smtpd[1235]: B0000000A1: client=mx.remote.test[198.51.100.7]\n"
        log += "\(p.stamp(4)) postfix/qmgr[1999]: B0000000A1: from=<alice@example.org>, size=900, nrcpt=1 (queue active)\n"
        log += "\(p.stamp(5)) postfix/qmgr[1999]: B0000000A1: removed\n"
        log += "\(p.stamp(6)) postfix/pickup[1998]: B0000000A2: uid=0 from=<root>\n"
        log += "\(p.stamp(6)) postfix/qmgr[1999]: B0000000A2: from=<root@example.org>, size=300, nrcpt=1 (queue active)\n"
        log += p.message(1, user: "carol@example.org", rcpt: 2, at: 10)
        try harness.write("mail.log", log)
        #expect(try harness.counts(day: "2026-11-20") == ["carol@example.org": MaillogCount(messages: 1, recipients: 2)])
    }

    @Test func programNamesAndLongQueueIDs() throws {
        let harness = try MaillogHarness()
        let tags = ["postfix/smtpd", "postfix/submission/smtpd", "postfix/smtps/smtpd", "postfix-out/submission/smtpd", "postfix/smtp-25/smtpd"]
        var log = ""
        for (i, tag) in tags.enumerated() {
            let q = "4jcrTn0QL\(i)z7hwM"
            log += "\(PostfixLines.stamp(i)) \(tag)[4801]: \(q): client=localhost[127.0.0.1], sasl_method=LOGIN, sasl_username=dave@example.org\n"
            log += "\(PostfixLines.stamp(i)) postfix-out/qmgr[4790]: \(q): from=<dave@example.org>, size=407, nrcpt=\(i + 1) (queue active)\n"
        }
        try harness.write("mail.log", log)
        #expect(try harness.counts(day: "2026-11-20") == ["dave@example.org": MaillogCount(messages: 5, recipients: 15)])
    }

    @Test func deliveryRetriesCountRecipientsOnce() throws {
        let harness = try MaillogHarness()
        let p = PostfixLines.self
        try harness.write("mail.log", p.client(1, user: "erin@example.org", at: 0) + p.queued(1, from: "erin@example.org", rcpt: 3, at: 1)
                          + p.queued(1, from: "erin@example.org", rcpt: 3, at: 600))
        #expect(try harness.counts(day: "2026-11-20") == ["erin@example.org": MaillogCount(messages: 1, recipients: 3)])
        // A retry in a later run does not count either; its removal forgets the queue ID.
        try harness.append("mail.log", p.queued(1, from: "erin@example.org", rcpt: 3, at: 1800) + p.removed(1, at: 1801))
        #expect(try harness.counts(day: "2026-11-20") == ["erin@example.org": MaillogCount(messages: 1, recipients: 3)])
    }

    @Test func rfc3339OffsetsAreConvertedToTheConfiguredZone() throws {
        // 23:30 at -02:00 is 01:30 UTC on the 21st: 02:30 in Amsterdam.
        let harness = try MaillogHarness(timezone: "Europe/Amsterdam")
        try harness.write("mail.log", """
            2026-11-20T23:30:00.5-02:00 mx postfix/submission/smtpd[1]: C0FFEE0001: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=frank@example.org
            2026-11-20T23:30:01-02:00 mx postfix/qmgr[2]: C0FFEE0001: from=<frank@example.org>, size=1, nrcpt=1 (queue active)
            2026-11-20T22:30:00Z mx postfix/submission/smtpd[1]: C0FFEE0002: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=frank@example.org

            """)
        #expect(try harness.counts(day: "2026-11-21") == ["frank@example.org": MaillogCount(messages: 1, recipients: 1)])
        #expect(try harness.counts(day: "2026-11-20") == ["frank@example.org": MaillogCount(messages: 1, recipients: 0)])
    }

    @Test func badInputIsSkippedCountedAndReported() throws {
        let harness = try MaillogHarness()
        let p = PostfixLines.self
        var bytes: [UInt8] = []
        bytes += Array(p.message(1, user: "gina@example.org", at: 0).utf8)
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0x0A]                                   // NUL garbage
        bytes += Array("\(p.stamp(5)) postfix/submission/smtpd[1]: A00000BAD1: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=bad".utf8)
        bytes += [0xFF, 0xFE, 0x0A]                                               // invalid UTF-8 login
        bytes += Array("\(p.stamp(6)) postfix/submission/smtpd[1]: A00000BAD2: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=ctl".utf8)
        bytes += [0x01, 0x0A]                                                     // control byte in the login
        bytes += Array(String(repeating: "z", count: 1 << 20).utf8) + [0x0A]     // a 1 MB line
        bytes += Array("\(p.stamp(7)) postfix/qmgr[1]: A000000001: from=<gina@exa\n".utf8)  // cut short
        bytes += Array("random garbage between lines\n".utf8)
        bytes += Array(p.message(2, user: "gina@example.org", rcpt: 2, at: 20).utf8)
        try harness.write("mail.log", bytes: bytes)
        let result = try harness.run(day: "2026-11-20")
        #expect(result.status == 0)
        #expect(try MaillogHarness.parse(result) == ["gina@example.org": MaillogCount(messages: 2, recipients: 3)])
        #expect(result.stderr.contains("skipped 6 unusable entries"), "\(result.stderr)")
        #expect(result.stderr.contains("1 longer than 65536 bytes"), "\(result.stderr)")
        #expect(result.stderr.contains("2 with an unusable name"), "\(result.stderr)")
        // --json carries the same report.
        let problems = try MaillogHarness.problems(result)
        #expect(problems.count == 1)
        #expect(problems.first?["source"] as? String == "postfix-log")
        #expect(problems.first?["skipped"] as? Int == 6)
        #expect((problems.first?["notes"] as? [String])?.contains { $0.contains("1 longer than 65536 bytes") } == true)
    }

    @Test func missingLogIsASourceFailure() throws {
        let harness = try MaillogHarness(postfix: ["nothing-here.log"])
        let result = try harness.run(day: "2026-11-20")
        #expect(result.status == 66)
        #expect(result.stderr.contains("no file matches"), "\(result.stderr)")
    }
}
