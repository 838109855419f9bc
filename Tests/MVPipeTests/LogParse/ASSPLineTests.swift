import Testing
@testable import Sources

/// ASSP lines. No captured maillog.txt was available, so these lines are built exactly as ASSP's
/// `sub mlog` assembles them (see ASSPLine's documentation for the sources), with the brief's stamp and ID.
@Suite struct ASSPLineTests {
    @Test func authPlainLine() throws {
        let (l, b) = lpASSP("Nov-29-26 14:46:22 m1-78030-02340 [Worker_1] [TLS-in] [TLS-out] 192.0.2.10 info: authentication (PLAIN) realms - foruser:, user:alice@example.org")
        #expect(l.timestamp?.year == 2026 && l.timestamp?.day == 29)
        #expect(lpText(b, l.messageID) == "m1-78030-02340")
        #expect(lpText(b, l.worker) == "Worker_1")
        #expect(l.tags == [.tlsIn, .tlsOut])
        #expect(lpText(b, l.clientIP) == "192.0.2.10")
        guard case let .authenticated(method, user, forUser) = l.event else { Issue.record("\(l.event)"); return }
        #expect(method == .plain && user == LogBytes("alice@example.org"))
        #expect(lpText(b, forUser) == "")
    }

    @Test func authLoginLineWithPasswordIsNotKept() throws {
        let (l, _) = lpASSP("Nov-29-26 14:46:23 m2-78031-02341 [Worker_2] [SSL-in] 2001:db8::7 info: authentication (LOGIN) realms - user:bob@example.org, pass:hunter2")
        #expect(l.tags == [.sslIn])
        guard case let .authenticated(method, user, forUser) = l.event else { Issue.record("\(l.event)"); return }
        #expect(method == .login && user == LogBytes("bob@example.org") && forUser == nil)
    }

    @Test func hostileAuthUser() throws {
        var line = Array("Nov-29-26 14:46:23 m2-78031-02341 [Worker_2] 192.0.2.1 info: authentication (LOGIN) realms - user:<!channel>".utf8)
        line += [0x01, 0xFE]
        guard case let .authenticated(_, user, _) = ASSPLine.parse(line).event else { Issue.record("no auth"); return }
        #expect(user.escaped == "<!channel>\\x01\\xFE")
    }

    @Test func messageOKLine() throws {
        let (l, b) = lpASSP("Nov-29-26 14:46:24 m1-78030-02340 [Worker_1] [TLS-in] [TLS-out] [MessageOK] 192.0.2.10 <alice@example.org> to: r1@remote.test message ok - [Subject: Quarterly report] -> ok/Quarterly_report__1.eml")
        #expect(l.tags.contains(.messageOK) && l.isMessageOK)
        guard case let .messageOK(from, to) = l.event else { Issue.record("\(l.event)"); return }
        #expect(lpText(b, from) == "alice@example.org")
        #expect(lpText(b, to) == "r1@remote.test")
        #expect(lpText(b, l.messageID) == "m1-78030-02340")
    }

    @Test func messageOKWithOriginalIPAndNoWorker() throws {
        let (l, b) = lpASSP("Nov-29-26 14:46:24 [MessageOK] 10.0.0.5 [OIP: 198.51.100.4] <> to: postmaster@example.org message ok")
        #expect(l.worker == nil && l.messageID == nil)
        guard case let .messageOK(from, to) = l.event else { Issue.record("\(l.event)"); return }
        #expect(lpText(b, from) == "" && lpText(b, to) == "postmaster@example.org")
        #expect(lpText(b, l.clientIP) == "10.0.0.5")
    }

    @Test func otherLines() {
        let lines = [
            "Nov-29-26 14:46:22 [Worker_1] Connected: 192.0.2.10:51515 > 192.0.2.1:587 > 127.0.0.1:10587",
            "Nov-29-26 14:46:25 [Worker_1] finished message - received DATA size: 1.23 kByte - sent DATA size: 1.25 kByte",
            "Nov-29-26 14:46:22 m3-1-2 [Worker_3] [RelayAttempt] 203.0.113.9 <spam@remote.test> to: x@remote.test relay attempt blocked for unknown local sender domain",
            "Nov-29-26 14:46:22 m3-1-2 [Worker_3] [Local] 192.0.2.11 <carol@example.org> to: c1@remote.test info: local mail",
            "Nov-29-26 14:46:22 m1-78030-02340 [Worker_1] 192.0.2.10 message ok",
            "Nov-29-26 14:46:22 [Main_Thread] Adminupdate: something changed",
        ]
        for line in lines {
            #expect(lpASSP(line).0.event == .other, "\(line)")
        }
        #expect(lpASSP(lines[2]).0.tags == [.other])
        #expect(lpASSP(lines[3]).0.tags == [.local])
    }

    @Test func continuationLine() {
        #expect(lpASSP("\tsecond line of a multi-line comment").0.event == .continuation)
    }

    @Test(arguments: [
        "",
        "garbage",
        "Nov 29 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: removed",
        "Nov-29-26 14:46:22",
        "Nov-29-26 14:46:22 [Worker_1",
        "Nov-29-26 14:46:22 m1-1-1 [Worker_1] 192.0.2.1 <alice@exam",
        "Nov-29-26 14:46:22 m1-1-1 [Worker_1] 192.0.2.1 info: authentication (PLAIN) realms - foruser:",
        "Nov-29-26 14:46:22 m1-1-1 [Worker_1] 192.0.2.1 info: authentication (LOGIN) realms - us",
    ])
    func malformed(_ line: String) {
        #expect(lpASSP(line).0.event == .malformed, "\(line)")
    }

    @Test func oneMegabyteComment() {
        let (l, _) = lpASSP("Nov-29-26 14:46:22 [Worker_1] " + String(repeating: "y", count: 1 << 20))
        #expect(l.event == .other)
    }

    @Test func joinAuthToMessageByID() {
        // Two interleaved connections; the outgoing messages are charged to the AUTH user of the same message ID.
        let log = [
            "Nov-29-26 14:46:22 m1-100-1 [Worker_1] [TLS-in] [TLS-out] 192.0.2.10 info: authentication (PLAIN) realms - foruser:, user:alice@example.org",
            "Nov-29-26 14:46:22 m2-100-2 [Worker_2] [SSL-in] 192.0.2.11 info: authentication (LOGIN) realms - user:bob@example.org",
            "Nov-29-26 14:46:23 m2-100-2 [Worker_2] [SSL-in] [MessageOK] 192.0.2.11 <bob@example.org> to: b1@remote.test message ok",
            "Nov-29-26 14:46:23 m1-100-1 [Worker_1] [TLS-in] [TLS-out] [MessageOK] 192.0.2.10 <alice@example.org> to: r1@remote.test message ok",
            "Nov-29-26 14:46:24 m9-100-9 [Worker_3] [MessageOK] 203.0.113.5 <ext@remote.test> to: alice@example.org message ok",
        ]
        var userOf: [String: LogBytes] = [:]
        var sent: [LogBytes: Int] = [:]
        var inbound = 0
        for line in log {
            let (l, b) = lpASSP(line)
            let id = lpText(b, l.messageID) ?? ""
            switch l.event {
            case let .authenticated(_, user, _): userOf[id] = user
            case .messageOK:
                if let u = userOf[id] { sent[u, default: 0] += 1 } else { inbound += 1 }
            default: Issue.record("unexpected \(line)")
            }
        }
        #expect(sent == [LogBytes("alice@example.org"): 1, LogBytes("bob@example.org"): 1])
        #expect(inbound == 1)
    }
}
