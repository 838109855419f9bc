import Foundation
import Testing

/// `mvpipe counts` on an assp-log source. The lines are built the way ASSP's `sub mlog` writes them (no real
/// `maillog.txt` was available; see ASSPLine's documentation).
@Suite struct ASSPLogSourceTests {
    static let log = """
        Nov-20-26 10:00:00 [Worker_1] Connected: 192.0.2.10:51515 > 192.0.2.1:587 > 127.0.0.1:10587
        Nov-20-26 10:00:01 m1-100-1 [Worker_1] [TLS-in] [TLS-out] 192.0.2.10 info: authentication (PLAIN) realms - foruser:, user:Alice@Example.org
        Nov-20-26 10:00:01 m2-100-2 [Worker_2] [SSL-in] 192.0.2.11 info: authentication (LOGIN) realms - user:bob@example.org, pass:hunter2
        Nov-20-26 10:00:02 m2-100-2 [Worker_2] [SSL-in] [MessageOK] 192.0.2.11 <bob@example.org> to: b1@remote.test message ok
        Nov-20-26 10:00:03 m1-100-1 [Worker_1] [TLS-in] [TLS-out] [MessageOK] 192.0.2.10 <alice-list@example.org> to: r1@remote.test message ok - [Subject: Quarterly report] -> ok/Quarterly_report__1.eml
        Nov-20-26 10:00:03 m1-100-1 [Worker_1] [TLS-in] [TLS-out] [MessageOK] 192.0.2.10 <alice-list@example.org> to: r1@remote.test message ok
        Nov-20-26 10:00:04 m9-100-9 [Worker_3] [MessageOK] 203.0.113.5 <ext@remote.test> to: alice@example.org message ok
        Nov-20-26 10:00:05 m3-100-3 [Worker_3] [MessageOK] 192.0.2.12 <carol@example.org> to: c1@remote.test message ok
        Nov-20-26 10:00:06 m4-100-4 [Worker_4] [MessageOK] 192.0.2.13 <app@partner.test> to: x@remote.test message ok
        Nov-20-26 10:00:07 m5-100-5 [Worker_4] [MessageOK] 203.0.113.9 <> to: postmaster@example.org message ok
        Nov-20-26 10:00:08 m6-100-6 [Worker_5] [RelayAttempt] 203.0.113.9 <spam@remote.test> to: x@remote.test relay attempt blocked for unknown local sender domain
        \tsecond line of a multi-line comment
        Nov-20-26 10:00:09 [Worker_1
        garbage

        """

    @Test func countsLoginsLocalSendersAndRelayedMailOnce() throws {
        let harness = try MaillogHarness(source: ["type": "assp-log", "paths": ["maillog.txt", "*.maillog.txt"],
                                                  "local_domains": ["example.org"]])
        try harness.write("maillog.txt", Self.log)
        let result = try harness.run(day: "2026-11-20")
        #expect(result.status == 0, "\(result.stderr)")
        // alice: logged in (counted once for two lines of one message ID, under the login, lower-cased);
        // bob: logged in; carol: local sender domain; app@partner.test: relayed to a foreign domain.
        // Not counted: inbound to example.org, the bounce <>, the blocked relay attempt.
        #expect(try MaillogHarness.parse(result) == [
            "alice@example.org": .init(messages: 1, recipients: nil),
            "bob@example.org": .init(messages: 1, recipients: nil),
            "carol@example.org": .init(messages: 1, recipients: nil),
            "app@partner.test": .init(messages: 1, recipients: nil),
        ])
        #expect(result.stderr.contains("skipped 2 of 14 lines read (2 unparsable)"), "\(result.stderr)")
        // ASSP rolls maillog.txt to YY-MM-DD.maillog.txt: nothing counts twice, new lines count.
        try harness.move("maillog.txt", "26-11-20.maillog.txt")
        try harness.write("maillog.txt", "Nov-20-26 11:00:00 m7-1-7 [Worker_1] [MessageOK] 192.0.2.12 <carol@example.org> to: c2@remote.test message ok\n")
        #expect(try harness.counts(day: "2026-11-20")["carol@example.org"] == .init(messages: 2, recipients: nil))
        #expect(try harness.counts(day: "2026-11-20")["alice@example.org"] == .init(messages: 1, recipients: nil))
    }

    @Test func withoutLocalDomainsOnlyLoginsCountAndSenderIdentityUsesTheEnvelope() throws {
        let harness = try MaillogHarness(source: ["type": "assp-log", "paths": ["maillog.txt"], "identity": "sender"])
        try harness.write("maillog.txt", Self.log)
        #expect(try harness.counts(day: "2026-11-20") == [
            "alice-list@example.org": .init(messages: 1, recipients: nil),
            "bob@example.org": .init(messages: 1, recipients: nil),
        ])
    }
}
