import Foundation
import Testing
@testable import Sources

/// ASSP lines, copied verbatim from the real ASSP 2.4.5 and 1.10.1 runs in Tests/Fixtures/assp (see its README),
/// and every line of every captured maillog.txt classified against what was sent (truth.json).
@Suite struct ASSPLineTests {
    // MARK: 2.x

    @Test func authAttemptAndLoginLines() throws {
        let attempt = lpASSP("Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication - plain is used")
        #expect(attempt.0.event == .authAttempt(method: .plain))
        #expect(lpText(attempt.1, attempt.0.worker) == "Worker_1" && lpText(attempt.1, attempt.0.clientIP) == "127.0.0.21")
        #expect(attempt.0.messageID == nil)
        #expect(lpASSP("Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication - login is used").0.event == .authAttempt(method: .login))

        let (plain, pb) = lpASSP("Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication (PLAIN) realms - foruser:, user:alice")
        guard case let .authUser(method, user, forUser) = plain.event else { Issue.record("\(plain.event)"); return }
        #expect(method == .plain && user == LogBytes("alice") && lpText(pb, forUser) == "")

        let (authz, ab) = lpASSP("Dec-02-26 15:58:35 [Worker_1] 127.0.0.21 info: authentication (PLAIN) realms - foruser:alice, user:alice")
        guard case let .authUser(_, authzUser, authzFor) = authz.event else { Issue.record("\(authz.event)"); return }
        #expect(authzUser == LogBytes("alice") && lpText(ab, authzFor) == "alice")

        let login = lpASSP("Dec-02-26 15:58:37 [Worker_1] 127.0.0.24 info: authentication (LOGIN) realms - user:jörg").0
        #expect(login.event == .authUser(method: .login, user: LogBytes("jörg"), forUser: nil))
        // ASSP splits PLAIN on spaces too: the login "o'brien x" is logged cut.
        let cut = lpASSP("Dec-02-26 15:58:37 [Worker_2] 127.0.0.24 info: authentication (PLAIN) realms - foruser:, user:o'brien").0
        guard case let .authUser(_, obrien, _) = cut.event else { Issue.record("\(cut.event)"); return }
        #expect(obrien == LogBytes("o'brien"))
    }

    @Test func passwordIsNeverPartOfTheLogin() {
        // AUTHLogPWD appends ", pass:..." (ASSP's getline); the password is not read.
        let line = lpASSP("Dec-02-26 15:58:37 [Worker_1] 127.0.0.24 info: authentication (LOGIN) realms - user:bob@example.org, pass:hunter2").0
        #expect(line.event == .authUser(method: .login, user: LogBytes("bob@example.org"), forUser: nil))
    }

    @Test func hostileLogin() {
        var line = Array("Dec-02-26 15:58:37 [Worker_2] 192.0.2.1 info: authentication (LOGIN) realms - user:<!channel>".utf8)
        line += [0x01, 0xFE]
        guard case let .authUser(_, user, _) = ASSPLine.parse(line).event else { Issue.record("no auth"); return }
        #expect(user.escaped == "<!channel>\\x01\\xFE")
    }

    @Test func authAnswers() {
        #expect(lpASSP("Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 authenticated to 127.0.0.1").0.event == .authSucceeded)
        #expect(lpASSP("Dec-02-26 15:58:56 [Worker_2] 127.0.0.40 warning: SMTP authentication failed on 127.0.0.1").0.event == .authFailed)
        #expect(lpASSP("Dec-02-26 15:56:54 [Worker_2] 127.0.0.22 [SMTP Error] 535 5.7.8 Error: authentication failed: authentication failure").0.event == .replyError(code: 535))
        #expect(lpASSP("Dec-02-26 15:58:56 m1-27132-07067 [Worker_1] 127.0.0.30 <spammer@remote.example.com> [SMTP Error] 530 Relaying not allowed").0.event == .replyError(code: 530))
        // ASSP's own wording for a 53x reply to another command: not an AUTH answer.
        #expect(lpASSP("Dec-02-26 15:58:56 [Worker_2] 127.0.0.40 warning: SMTP authentication failed on 127.0.0.1 - but 'AUTH' was not the last command").0.event == .other)
    }

    @Test func acceptedMessageLines() throws {
        let (ok, b) = lpASSP("Dec-02-26 15:56:51 m1-27011-04993 [Worker_1] [MessageOK] 127.0.0.21 <Alice@Example.org> to: r2@remote.example.com message ok [Re etc passwd more] -> /opt/assp/notspam/Re_etc_passwd_more--2.eml")
        #expect(ok.event == .messageAccepted(relayed: nil))
        #expect(lpText(b, ok.messageID) == "m1-27011-04993" && lpText(b, ok.worker) == "Worker_1")
        #expect(lpText(b, ok.from) == "Alice@Example.org" && lpText(b, ok.to) == "r2@remote.example.com")
        #expect(ok.tags == [.messageOK] && !ok.legacy)
        // An empty sender has no <...> at all.
        let (bounce, bb) = lpASSP("Dec-02-26 15:56:56 m1-27016-13559 [Worker_1] [MessageOK] 127.0.0.50 to: bounced-user@remote.example.com message ok [Undelivered Mail Returned to Sender]")
        #expect(bounce.event == .messageAccepted(relayed: nil) && bounce.from == nil)
        #expect(lpText(bb, bounce.to) == "bounced-user@remote.example.com")
        // uniqueIDPrefix mx7-, and uniqeIDLogging off (no ID at all).
        let (custom, cb) = lpASSP("Dec-02-26 15:59:20 mx7-27160-13495 [Worker_1] [MessageOK] 127.0.0.21 <alice@example.org> to: r1@remote.example.com message ok [Quarterly report] -> /opt/assp/notspam/Quarterly_report--1.eml")
        #expect(lpText(cb, custom.messageID) == "mx7-27160-13495")
        let noid = lpASSP("Dec-02-26 16:00:08 [Worker_1] [MessageOK] 127.0.0.21 <alice@example.org> to: r1@remote.example.com message ok [Quarterly report] -> /opt/assp/notspam/Quarterly_report--1.eml").0
        #expect(noid.messageID == nil && noid.event == .messageAccepted(relayed: nil))
    }

    @Test func recipientAndOtherTransactionLines() {
        let (rcpt, b) = lpASSP("Dec-02-26 15:58:33 m1-27113-06474 [Worker_1] 127.0.0.21 <Alice@Example.org> to: r2@remote.example.com recipient accepted: r3@other.example.net")
        #expect(rcpt.event == .recipientAccepted && lpText(b, rcpt.messageID) == "m1-27113-06474")
        for line in [
            "Dec-02-26 15:58:33 m1-27113-06474 [Worker_1] 127.0.0.21 <Alice@Example.org> to: r2@remote.example.com Admininfo: whitelist addition: r2@remote.example.com - AutoWhite on sent mail by alice@example.org",
            "Dec-02-26 15:58:37 m1-27117-02522 [Worker_2] [isbounce] 127.0.0.24 bounce message detected",
            "Dec-02-26 15:58:56 m1-27132-07067 [Worker_1] [RelayAttempt] 127.0.0.30 <spammer@remote.example.com> relay attempt blocked for: victim@remote.example.com",
            "Dec-02-26 15:58:32 [Worker_1] Finished message - received DATA size: 486 Byte - sent DATA size: 704 Byte",
            "Dec-02-26 16:04:57 [Worker_10000] ASSP_ARC: message archived to - /opt/assp/archive/in/2026/12/02/alice@example.org/Meeting_tomorrow--14.eml",
            "Dec-02-26 15:58:27 [Worker_5] Worker_5 started",
        ] {
            #expect(lpASSP(line).0.event == .other, "\(line)")
        }
    }

    @Test func connectionLines() {
        let (open, b) = lpASSP("Dec-02-26 15:58:32 [Worker_1] Connected: session:561240AE3330 127.0.0.21:41567 > 127.0.0.1:25 > 127.0.0.1:125")
        guard case let .connected(session, ip) = open.event else { Issue.record("\(open.event)"); return }
        #expect(lpText(b, session) == "561240AE3330" && lpText(b, ip) == "127.0.0.21" && lpText(b, open.worker) == "Worker_1")
        let (close, cb) = lpASSP("Dec-02-26 15:58:32 [Worker_1] Disconnected: session:561240AE3330 127.0.0.21 - processing time 0 seconds")
        guard case let .disconnected(closed, closedIP) = close.event else { Issue.record("\(close.event)"); return }
        #expect(lpText(cb, closed) == "561240AE3330" && lpText(cb, closedIP) == "127.0.0.21")
    }

    @Test func byteOrderMarkAndDateFormats() throws {
        let bom = [0xEF, 0xBB, 0xBF] + Array("Dec-02-26 15:56:42 [startup] Starting in console mode".utf8)
        let parsed = ASSPLine.parse(bom)
        #expect(parsed.event == .other && parsed.timestamp?.month == 12 && parsed.timestamp?.year == 2026)
        let french = try #require(lpASSP("déc-02-26 16:00:57 m1-27257-01283 [Worker_1] [MessageOK] 127.0.0.21 <alice@example.org> to: r1@remote.example.com message ok [Quarterly report] -> /opt/assp/notspam/Quarterly_report--1.eml").0.timestamp)
        #expect(french.month == 12 && french.day == 2 && french.hour == 16 && french.second == 57)
        let german = try ASSPDateFormat("DD.MMM.YYYY hh:mm:ss")
        let de = ASSPLine.parse(Array("02.Dez.2026 16:01:51 m1-27310-07191 [Worker_1] [MessageOK] 127.0.0.24 <joerg@example.org> to: j1@remote.example.com message ok [Unicode login] -> /opt/assp/notspam/Unicode_login--12.eml".utf8), format: german)
        #expect(de.timestamp?.year == 2026 && de.timestamp?.month == 12 && de.event == .messageAccepted(relayed: nil))
        let iso = ASSPLine.parse(Array("2026-12-02 16:02:42 [Worker_1] 127.0.0.21 info: authentication - plain is used".utf8),
                                 format: try ASSPDateFormat("YYYY-MM-DD hh:mm:ss"))
        #expect(iso.event == .authAttempt(method: .plain) && iso.timestamp?.day == 2)
        // The default format does not read the others' lines: they are not guessed at.
        #expect(lpASSP("2026-12-02 16:02:42 [Worker_1] 127.0.0.21 info: authentication - plain is used").0.event == .malformed)
    }

    @Test func suppressionSummaryHasNoStampAndIsNotGarbage() {
        #expect(lpASSP("Warning: can't open file '/opt/assp/griplist' to load hash (in loadHashFromFile) (suppressed 6 concurrent equal 'Warning' loglines from all Workers)").0.event == .other)
    }

    // MARK: 1.x

    @Test func legacyLines() throws {
        #expect(lpASSP("Dec-02-26 16:13:23 [Authentication] 127.0.0.21 info: authentication - plain is used;").0.event == .authAttempt(method: .plain))
        let (login, b) = lpASSP("Dec-02-26 16:13:23 127.0.0.21 info: authentication (PLAIN) realms - foruser:, user:alice;")
        guard case let .authUser(_, user, forUser) = login.event else { Issue.record("\(login.event)"); return }
        #expect(user == LogBytes("alice") && lpText(b, forUser) == "")  // the ";" is not part of the login
        #expect(login.legacy && login.worker == nil)
        #expect(lpASSP("Dec-02-26 16:13:23 127.0.0.21 authenticated;").0.event == .authSucceeded)
        #expect(lpASSP("Dec-02-26 16:13:48 127.0.0.22 warning: SMTP authentication failed;").0.event == .authFailed)
        let (local, lb) = lpASSP("Dec-02-26 16:13:23 m-28003-00000 [LocalOK] 127.0.0.21 <alice@example.org> to: r1@remote.example.com local [Quarterly report] -> /opt/assp/notspam/Quarterly_report__1.eml;")
        #expect(local.event == .messageAccepted(relayed: true) && lpText(lb, local.messageID) == "m-28003-00000")
        #expect(lpASSP("Dec-02-26 16:14:01 m-28041-00017 [MessageOK] 127.0.0.30 <partner@remote.example.com> to: alice@example.org message ok [Meeting tomorrow] -> /opt/assp/okmail/Meeting_tomorrow__16.eml;").0.event
                == .messageAccepted(relayed: false))
        #expect(lpASSP("Dec-02-26 16:13:23 m-28003-00000 [WhitelistedOK] 127.0.0.21 <alice@example.org> to: r1@remote.example.com auto whitelist addition: r1@remote.example.com;").0.event == .other)
        // The empty (or unparsable) sender is <@assp.local>: no sender.
        let bounce = lpASSP("Dec-02-26 16:16:53 m-28213-00016 [LocalOK] 127.0.0.50 <@assp.local> to: bounced-user@remote.example.com local [Undelivered Mail Returned to Sender] -> /opt/assp/notspam/Undelivered_Mail_Returned_to_S__15.eml;").0
        #expect(bounce.event == .messageAccepted(relayed: true) && bounce.from == nil)
        let (connected, cb) = lpASSP("Dec-02-26 16:16:16 Connected: 127.0.0.21:57599 -> 127.0.0.1:25 (listenPort) -> 127.0.0.1:125;")
        guard case let .connected(session, ip) = connected.event else { Issue.record("\(connected.event)"); return }
        #expect(session == nil && lpText(cb, ip) == "127.0.0.21")
        let (done, db) = lpASSP("Dec-02-26 16:16:19 m-28179-00000 [DONE] 127.0.0.21 <alice@example.org> to: r1@remote.example.com disconnected (3 seconds);")
        #expect(done.event == .disconnected(session: nil, ip: nil) && lpText(db, done.messageID) == "m-28179-00000")
        #expect(lpASSP("Dec-02-26 16:17:09 [DONE] 127.0.0.40 disconnected (3 seconds);").0.event == .disconnected(session: nil, ip: nil))
        // Scored into the warning range and let through: accepted, without a "message ok" line.
        #expect(lpASSP("Dec-02-26 16:17:03 m-28223-00020 [MessageScore][Over Lower Limit] 127.0.0.30 <@assp.local> to: alice@example.org [spam found] and passing because messagescore(40) is in warning range ( 35 - 50)  -- [Delivery Status Notification (Failure)] -> /opt/assp/discarded/Delivery_Status_Notification_F__19.eml;").0.event == .messageAccepted(relayed: nil))
        #expect(lpASSP("Dec-02-26 16:17:12 m-28232-00022 [DelayOK] 127.0.0.40 <mallory@remote.example.com> to: bob@example.org recipient accepted: bob@example.org;").0.event == .recipientAccepted)
    }

    // MARK: broken lines

    @Test(arguments: [
        "",
        "garbage",
        "Nov 29 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: removed",
        "Dec-02-26 15:58:32",
        "Dec-02-26 15:58:32 [Worker_1",
        "Dec-02-26 15:58:32 m1-27113-06474 [Worker_1] 127.0.0.21 <alice@exam",
        "Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication (PLAIN) realms - foruser:",
        "Dec-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication (LOGIN) realms - us",
        "Dex-02-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication - plain is used",
        "Dec-32-26 15:58:32 [Worker_1] 127.0.0.21 info: authentication - plain is used",
    ])
    func malformed(_ line: String) {
        #expect(lpASSP(line).0.event == .malformed, "\(line)")
    }

    @Test func continuationAndHugeComment() {
        #expect(lpASSP("\tsecond line of a multi-line comment").0.event == .continuation)
        #expect(lpASSP("Dec-02-26 15:58:32 [Worker_1] " + String(repeating: "y", count: 1 << 20)).0.event == .other)
    }

    // MARK: every captured line

    /// Every line of every captured maillog.txt: nothing unparsable (the stamp-less summary of repeated lines is
    /// read as other), one accepted-message line per message ASSP accepted (1.10.1's `[spam found] and passing`
    /// included), one login line per PLAIN/LOGIN AUTH sent where AUTHLogUser was on, none where it was off.
    @Test(arguments: ASSPCapture.runs.map(\.dir))
    func everyCapturedLine(_ dir: String) throws {
        let run = try #require(ASSPCapture.runs.first { $0.dir == dir })
        let format = try ASSPDateFormat(run.logDateFormat).reading(onYear: 2026, month: 12, day: 2)
        var accepted = 0, logins = 0, malformed = 0, lines = 0
        for line in try run.logLines() {
            lines += 1
            switch ASSPLine.parse(line, format: format).event {
            case .messageAccepted: accepted += 1
            case .authUser: logins += 1
            case .malformed: malformed += 1
            default: break
            }
        }
        let truth = try run.truth()
        #expect(lines > 100)
        #expect(malformed == 0)
        #expect(accepted == truth.accepted.count)
        #expect(logins == (run.authLogUser ? truth.authAttempts : 0))
    }
}
