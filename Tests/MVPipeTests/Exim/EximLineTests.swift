import Foundation
import Testing
@testable import Sources

/// EximLine on the shapes of the real captures (Tests/Fixtures/exim) and on what Exim's source writes around them.
@Suite struct EximLineTests {
    func parse(_ line: String) -> (EximLine, [UInt8]) {
        let bytes = Array(line.utf8)
        return (EximLine.parse(bytes), bytes)
    }

    /// (sender, authenticator, login, recipients) of an arrival line.
    func arrival(_ line: String) -> (String?, String?, String?, Int?)? {
        let (parsed, bytes) = parse(line)
        guard case let .arrival(sender, authenticator, login, recipients) = parsed.event else { return nil }
        return (lpText(bytes, sender), lpText(bytes, authenticator), lpText(bytes, login), recipients)
    }

    @Test func timestampsWithMillisecondsZoneAndPID() throws {
        let plain = try #require(parse("2026-12-02 16:02:32 1xYmmu-0003rF-1i Completed").0.timestamp)
        #expect(plain.year == 2026 && plain.month == 12 && plain.day == 2 && plain.hour == 16 && plain.second == 32)
        #expect(plain.utcOffsetSeconds == nil)
        let all = parse("2026-12-02 11:02:41.204 -0500 [15660] 1xYmn4-00044a-0P Completed")
        #expect(all.0.timestamp?.utcOffsetSeconds == -5 * 3600)
        #expect(all.0.messageID?.description == "1xYmn4-00044a-0P")
        #expect(all.0.event == .completed)
        #expect(parse("2026-12-02 16:02:32.5 1xYmmu-0003rF-1i Completed").0.event == .malformed)
        #expect(parse("2026-13-02 16:02:32 x").0.event == .malformed)
        #expect(parse("Dec  2 16:02:32 mx exim[1]: x").0.event == .malformed)
        // Exim 4.97 and later: a longer ID.
        #expect(parse("2026-12-02 16:02:32 1rGbsd-00000000GJp-3nWs Completed").0.messageID?.description == "1rGbsd-00000000GJp-3nWs")
    }

    @Test func arrivalsFromTheCaptures() throws {
        let a = try #require(arrival("2026-12-02 16:02:32 1xYmmu-0003rF-1i <= alice@example.org H=(client.remote.test) [127.0.0.1] P=esmtpsa X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no A=plain_server:alice@example.org S=383"))
        #expect(a.0 == "alice@example.org" && a.1 == "plain_server" && a.2 == "alice@example.org" && a.3 == nil)
        let dave = try #require(arrival("2026-12-02 16:02:34 1xYmmw-0003tn-1T <= dave@example.org H=(client.remote.test) [127.0.0.1] P=esmtpsa X=TLS1.3:x:256 CV=no A=plain_server:dave smith S=387"))
        #expect(dave.2 == "dave smith")
        let bounce = try #require(arrival("2026-12-02 16:02:33 1xYmmv-0003rz-0n <= <> R=1xYmmv-0003rk-0R U=Debian-exim P=local S=1742 for carol@example.org"))
        #expect(bounce.0 == nil && bounce.2 == nil && bounce.3 == 1)
        let local = try #require(arrival("2026-12-02 16:02:34 1xYmmw-0003u7-1p <= alice@example.org U=www-data P=local S=329"))
        #expect(local.0 == "alice@example.org" && local.1 == nil && local.2 == nil)
    }

    @Test func fieldLikeTextInsideQuotesIsNotAField() throws {
        let spoof = try #require(arrival("2026-12-02 16:02:34 1xYmmw-0003tV-0D <= \"spoof A=plain_server:alice@example.org\"@remote.test H=(client.remote.test) [127.0.0.1] P=esmtp S=409"))
        #expect(spoof.0 == "\"spoof A=plain_server:alice@example.org\"@remote.test" && spoof.2 == nil)
        let real = try #require(arrival("2026-12-02 16:02:33 1xYmmv-0003sc-2r <= \"bounces A=plain_server:carol\"@remote.test H=(client.remote.test) [127.0.0.1] P=esmtpsa X=TLS1.3:x:256 CV=no A=login_server:bob@example.org S=443"))
        #expect(real.1 == "login_server" && real.2 == "bob@example.org")
        // +all: a subject with a `for` and an A= inside escaped quotes, then `from <...>` and the real `for` list.
        let subject = try #require(arrival("2026-12-02 11:02:42.165 -0500 [15660] 1xYmn4-00044a-0P <= bob@example.org H=(client.remote.test) [127.0.0.1]:59882 I=[127.0.0.1]:10465 P=esmtpsa L.- X=TLS1.3:x:256 CV=no A=login_server:bob@example.org S=402 M8S=0 RT=0.006s T=\"S5 \\\"quoted\\\" A=plain_server:carol for x@evil.test\" from <bob@example.org> for alice@example.org b3@remote.test b4@other.test"))
        #expect(subject.2 == "bob@example.org" && subject.3 == 3)
        let quoted = try #require(arrival("2026-12-02 16:02:32 1xYmmu-0003rS-2W <= sales@example.org H=(c) [127.0.0.1] P=esmtpsa A=login_server:bob@example.org S=524 id=1@vm for b1@remote.test b2@remote.test \"team lead\"@remote.test"))
        #expect(quoted.3 == 3)
    }

    @Test func whatExamMayWriteBetweenLoginAndSize() throws {
        // smtp_in.c: " PRDR", " PRX=addr", " K" (CHUNKING) between A= and S=; +smtp_mailauth appends ":AUTH=".
        let prdr = try #require(arrival("2026-12-02 16:02:32 1xYmmu-0003rF-1i <= a@example.org H=(c) [127.0.0.1] P=esmtpsa A=dovecot_plain:a@example.org PRDR K S=383"))
        #expect(prdr.1 == "dovecot_plain" && prdr.2 == "a@example.org")
        let prx = try #require(arrival("2026-12-02 16:02:32 1xYmmu-0003rF-1i <= a@example.org H=(c) [127.0.0.1] P=esmtpsa A=dovecot_login:a b PRX=192.0.2.1 S=383"))
        #expect(prx.2 == "a b")
        let mailauth = try #require(arrival("2026-12-02 16:02:32 1xYmmu-0003rF-1i <= a@example.org H=(c) [127.0.0.1] P=esmtpsa A=plain:a@example.org:<a@example.org> S=383"))
        #expect(mailauth.2 == "a@example.org")
    }

    @Test func deliveryLinesGiveTheEnvelopeRecipient() throws {
        func envelope(_ text: String) -> (EximEvent.Delivery, String?, String?)? {
            let (parsed, bytes) = parse("2026-12-02 16:02:33 1xYmmv-0003rk-0R " + text)
            guard case let .delivery(kind, address, envelope) = parsed.event else { return nil }
            return (kind, lpText(bytes, address), lpText(bytes, envelope))
        }
        #expect(envelope("=> r1@remote.test R=smarthost T=remote_smtp_smarthost H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 Ok: queued as SINK2\"")! == (.delivered, "r1@remote.test", "r1@remote.test"))
        #expect(envelope("=> bob <bob@example.org> R=local_user T=mail_spool")! == (.delivered, "bob", "bob@example.org"))
        #expect(envelope("-> team lead@remote.test <\"team lead\"@remote.test> R=smarthost T=x")! == (.alsoDelivered, "team lead@remote.test", "\"team lead\"@remote.test"))
        #expect(envelope("=> alice (list@example.org) <staff@example.org> F=<bob@example.org> P=<bob@example.org> R=local_user T=mail_spool S=561")! == (.delivered, "alice", "staff@example.org"))
        #expect(envelope("=> :blackhole: <devnull@example.org> R=system_aliases")! == (.delivered, ":blackhole:", "devnull@example.org"))
        #expect(envelope("** ghost@example.org: Unrouteable address")! == (.failed, "ghost@example.org", "ghost@example.org"))
        #expect(envelope("** ghost@example.org F=<carol@example.org>: Unrouteable address DT=0.000s")! == (.failed, "ghost@example.org", "ghost@example.org"))
        #expect(envelope("** nosuch@remote.test R=smarthost T=t H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<nosuch@remote.test>: 550 5.1.1 <nosuch@remote.test>: User unknown")! == (.failed, "nosuch@remote.test", "nosuch@remote.test"))
        #expect(envelope("== slow@remote.test R=smarthost T=remote_smtp_smarthost defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error: 451 <x@y>")! == (.deferred, "slow@remote.test", "slow@remote.test"))
        #expect(envelope("== slow@remote.test routing defer (-51): retry time not reached")! == (.deferred, "slow@remote.test", "slow@remote.test"))
    }

    @Test func linesWithoutAMessageAreOther() {
        for text in [
            "2026-12-02 16:02:34 login_server authenticator failed for (client.remote.test) [127.0.0.1]: 535 Incorrect authentication data (set_id=mallory A=plain_server:bob@example.org)",
            "2026-12-02 16:02:35 H=(client.remote.test) [127.0.0.1] F=<spammer@remote.test> rejected RCPT <victim@remote.test>: relay not permitted",
            "2026-12-02 16:02:35 Start queue run: pid=15083 -qff",
            "2026-12-02 11:02:40.842 -0500 [15493] SMTP connection from [127.0.0.1]:50090 I=[127.0.0.1]:10025 (TCP/IP connection count = 1)",
            "2026-12-02 16:02:32 1xYmmu-0003rF-1i SMTP error from remote mail server after end of data: 451",
        ] {
            #expect(parse(text).0.event == .other, "\(text)")
        }
        #expect(parse("2026-12-02 16:02:32 1xYmmu-0003rF-1i => ").0.event == .malformed)
    }
}
