import Testing
@testable import Sources

/// The three timestamp layouts, each followed by a host.
let lpPrefixes = [
    "Nov  5 14:46:22 mail ",
    "Nov 05 14:46:22 mail ",
    "2026-11-05T14:46:22.123456+01:00 mail.example.org ",
]

@Suite struct PostfixLineTests {
    // MARK: smtpd client=

    @Test(arguments: lpPrefixes)
    func smtpdClientWithSASL(_ p: String) throws {
        let (l, b) = lpPostfix(p + "postfix/submission/smtpd[4797]: BBEEFFA1FC: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice@example.org")
        #expect(l.program == .smtpd && l.pid == 4797)
        #expect(lpText(b, l.tagRange) == "postfix/submission/smtpd")
        guard case let .smtpdClient(q, name, ip, method, user) = l.event else {
            Issue.record("not smtpdClient: \(l.event)"); return
        }
        #expect(q.description == "BBEEFFA1FC" && !q.isLong)
        #expect(lpText(b, name) == "localhost" && lpText(b, ip) == "127.0.0.1")
        #expect(lpText(b, method) == "PLAIN")
        #expect(lpBytes(b, user) == LogBytes("alice@example.org"))
    }

    @Test func smtpdClientVerbatimLongQueueID() throws {
        // Captured by scripts/postfix-lab-capture.sh (maillog_file, enable_long_queue_ids = yes).
        let (l, b) = lpPostfix("Nov 29 15:21:33 mail postfix/smtps/smtpd[4801]: 4jcrTn0QLPz7hwM: client=localhost[127.0.0.1], sasl_method=LOGIN, sasl_username=alice@example.org")
        guard case let .smtpdClient(q, _, _, _, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(q.description == "4jcrTn0QLPz7hwM" && q.isLong)
        #expect(lpBytes(b, user)?.escaped == "alice@example.org")
        #expect(l.timestamp?.style == .traditional)
    }

    @Test(arguments: [
        "postfix/smtpd", "postfix/submission/smtpd", "postfix-out/smtps/smtpd", "postfix/smtp-25/smtpd",
    ])
    func syslogNamesEndInSmtpd(_ tag: String) throws {
        let (l, b) = lpPostfix("Nov  5 14:46:22 mx1 \(tag)[1234]: 3mPVKl0Mhjz7sXv: client=mua.example.net[2001:db8::5], sasl_method=LOGIN, sasl_username=bob")
        #expect(l.program == .smtpd)
        #expect(lpText(b, l.tagRange) == tag)
        guard case let .smtpdClient(q, _, ip, _, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(q == QueueID("3mPVKl0Mhjz7sXv"))
        #expect(lpText(b, ip) == "2001:db8::5")
        #expect(lpBytes(b, user) == LogBytes("bob"))
    }

    @Test func smtpdClientWithoutSASLIsInbound() throws {
        let (l, b) = lpPostfix("2026-11-29T15:21:25.457310+00:00 vm postfix/smtpd[4525]: 7B03CFA291: client=localhost[127.0.0.1]")
        guard case let .smtpdClient(_, name, ip, method, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(lpText(b, name) == "localhost" && lpText(b, ip) == "127.0.0.1")
        #expect(method == nil && user == nil)
    }

    @Test func smtpdClientTrailingFieldsAndPort() throws {
        let (l, b) = lpPostfix("Nov 05 14:46:22 mail postfix/smtpd[77]: 1A2B3C4D5E: client=unknown[192.0.2.9]:51234, sasl_method=PLAIN, sasl_username=carol@example.org, sasl_sender=list@example.org, orig_queue_id=ABCDEF1234, orig_client=relay.example.net[198.51.100.1]")
        guard case let .smtpdClient(q, name, ip, method, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(q.description == "1A2B3C4D5E")
        #expect(lpText(b, name) == "unknown" && lpText(b, ip) == "192.0.2.9")
        #expect(lpText(b, method) == "PLAIN")
        #expect(lpBytes(b, user) == LogBytes("carol@example.org"))
    }

    @Test func hostileUserNames() throws {
        let cases: [(String, [UInt8], String)] = [
            ("<!channel>", Array("<!channel>".utf8), "<!channel>"),
            ("a, b@example.org", Array("a, b@example.org".utf8), "a, b@example.org"),
            ("a\u{01}b", [0x61, 0x01, 0x62], "a\\x01b"),
            ("back\\slash", Array("back\\slash".utf8), "back\\x5Cslash"),
            ("jürgen", Array("jürgen".utf8), "jürgen"),
        ]
        for (name, bytes, shown) in cases {
            let (l, b) = lpPostfix("Nov  5 14:46:22 mail postfix/smtps/smtpd[9]: C0FFEE1234: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=\(name), sasl_sender=<>")
            guard case let .smtpdClient(_, _, _, _, user) = l.event else { Issue.record("\(name): \(l.event)"); continue }
            #expect(lpBytes(b, user)?.bytes == bytes)
            #expect(lpBytes(b, user)?.escaped == shown)
        }
    }

    @Test func invalidUTF8AndNULInUserName() throws {
        var line = Array("Nov  5 14:46:22 mail postfix/smtpd[9]: C0FFEE1234: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=".utf8)
        let name: [UInt8] = [0x75, 0xFF, 0x00, 0xC3, 0x28, 0xC2, 0x85, 0x7F, 0x76]
        line += name
        let l = PostfixLine.parse(line)
        guard case let .smtpdClient(_, _, _, _, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(lpBytes(line, user)?.bytes == name)
        #expect(lpBytes(line, user)?.escaped == "u\\xFF\\x00\\xC3(\\xC2\\x85\\x7Fv")
    }

    @Test func failedLoginIsNotAClient() {
        // Verbatim from the capture; the warning carries sasl_username= but is no message.
        let (l, _) = lpPostfix("Nov 29 15:21:33 mail postfix/submission/smtpd[4797]: warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice@example.org")
        #expect(l.event == .other)
        #expect(l.program == .smtpd)
        let (l2, _) = lpPostfix("Nov  5 14:46:22 mail postfix/submission/smtpd[1234]: warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=admin")
        #expect(l2.event == .other)
    }

    @Test(arguments: lpPrefixes)
    func noqueueRejectIsOther(_ p: String) {
        let (l, _) = lpPostfix(p + "postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@remote.test>: Relay access denied; from=<spam@remote.test> to=<x@remote.test> proto=ESMTP helo=<spam>")
        #expect(l.event == .other)
    }

    // MARK: qmgr

    @Test(arguments: lpPrefixes)
    func qmgrQueued(_ p: String) throws {
        let (l, b) = lpPostfix(p + "postfix/qmgr[4790]: 4jcrTm6wz9z7hwL: from=<alice@example.org>, size=407, nrcpt=2 (queue active)")
        guard case let .qmgrQueued(q, from, size, nrcpt) = l.event else { Issue.record("\(l.event)"); return }
        #expect(q.description == "4jcrTm6wz9z7hwL")
        #expect(lpText(b, from) == "alice@example.org")
        #expect(size == 407 && nrcpt == 2)
    }

    @Test func qmgrRetryLinesRepeat() {
        // A deferred message comes back with the same line each retry: both parse the same way.
        let a = lpPostfix("Nov  5 14:46:22 mail postfix/qmgr[1999]: BBEEFFA1FC: from=<>, size=2310, nrcpt=1 (queue active)").0
        let b = lpPostfix("Nov  5 15:16:22 mail postfix/qmgr[1999]: BBEEFFA1FC: from=<>, size=2310, nrcpt=1 (queue active)").0
        #expect(a.event == b.event)
        #expect(a.event.queueID == QueueID("BBEEFFA1FC"))
    }

    @Test func qmgrRemovedAndExpired() {
        #expect(lpPostfix("Nov 05 14:46:22 mail postfix/qmgr[4790]: 4jcrTm6wz9z7hwL: removed").0.event
                == .qmgrRemoved(queueID: QueueID("4jcrTm6wz9z7hwL")!))
        #expect(lpPostfix("Nov 05 14:46:22 mail postfix/qmgr[4790]: BBEEFFA1FC: from=<a@b.test>, status=expired, returned to sender").0.event == .other)
        #expect(lpPostfix("Nov 05 14:46:22 mail postfix/qmgr[4790]: BBEEFFA1FC: removed extra").0.event == .other)
    }

    // MARK: pickup

    @Test(arguments: lpPrefixes)
    func pickupWithUID(_ p: String) throws {
        let (l, b) = lpPostfix(p + "postfix/pickup[4789]: 4jcrTn48jjz7hwN: uid=1000 from=<www-data>")
        guard case let .pickup(q, uid, from) = l.event else { Issue.record("\(l.event)"); return }
        #expect(q.isLong && uid == 1000 && lpText(b, from) == "www-data")
    }

    // MARK: other programs and lines

    @Test func otherLines() {
        let lines = [
            "Nov 29 15:21:32 mail postfix/cleanup[4810]: 4jcrTm6wz9z7hwL: message-id=<20261129152132.004806@vm>",
            "Nov 29 15:21:32 mail postfix/smtp[4812]: 4jcrTm6wz9z7hwL: to=<r1@remote.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0.03, delays=0.01/0.01/0/0, dsn=2.0.0, status=sent (250 OK)",
            "Nov 29 15:21:32 mail postfix/submission/smtpd[4797]: connect from localhost[127.0.0.1]",
            "Nov 29 15:21:32 mail postfix/postfix-script[4786]: starting the Postfix mail system",
            "Nov  5 14:46:22 mail dovecot: imap-login: Login: user=<alice@example.org>",
            "Nov  5 14:46:22 mail sshd[99]: Accepted publickey for root",
            "Nov  5 14:46:22 mail postfix/smtpd[1]: lost connection after AUTH from unknown[203.0.113.7]",
            "Nov  5 14:46:22 mail postfix/smtpd[1]: BBEEFFA1FC: reject: RCPT from x[192.0.2.1]: 550 5.1.1 <no@example.org>: Recipient address rejected",
        ]
        for line in lines {
            #expect(lpPostfix(line).0.event == .other, "\(line)")
        }
        #expect(lpPostfix(lines[0]).0.program == .cleanup)
        #expect(lpPostfix(lines[4]).0.program == nil)
    }

    @Test func interleavedConnections() {
        // Verbatim order from the capture: two smtpd processes and qmgr interleave.
        let log = """
        2026-11-29T15:21:25.226719+00:00 vm postfix/submission/smtpd[4529]: 37565FA291: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice@example.org
        2026-11-29T15:21:25.227705+00:00 vm postfix/qmgr[4523]: 37565FA291: from=<alice@example.org>, size=402, nrcpt=1 (queue active)
        2026-11-29T15:21:25.232367+00:00 vm postfix/smtps/smtpd[4550]: 38B81FA292: client=localhost[127.0.0.1], sasl_method=LOGIN, sasl_username=carol@example.org
        2026-11-29T15:21:25.233339+00:00 vm postfix/qmgr[4523]: 38B81FA292: from=<carol@example.org>, size=402, nrcpt=1 (queue active)
        2026-11-29T15:21:25.236881+00:00 vm postfix/qmgr[4523]: 37565FA291: removed
        2026-11-29T15:21:25.242354+00:00 vm postfix/qmgr[4523]: 38B81FA292: removed
        """
        var owner: [QueueID: LogBytes] = [:]
        var removed: [QueueID] = []
        for line in log.split(separator: "\n") {
            let (parsed, b) = lpPostfix(String(line))
            switch parsed.event {
            case let .smtpdClient(q, _, _, _, user?): owner[q] = lpBytes(b, user)
            case let .qmgrRemoved(q): removed.append(q)
            case .qmgrQueued: break
            default: Issue.record("unexpected: \(line)")
            }
        }
        #expect(owner[QueueID("37565FA291")!] == LogBytes("alice@example.org"))
        #expect(owner[QueueID("38B81FA292")!] == LogBytes("carol@example.org"))
        #expect(removed.map(\.description) == ["37565FA291", "38B81FA292"])
    }

    // MARK: malformed

    @Test(arguments: [
        "",
        "garbage",
        "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
        "Nov  5 14:46:22 mail",
        "Nov  5 14:46:22 mail postfix/smtpd[4797]",
        "Nov  5 14:46:22 mail postfix/smtpd[47",
        "Nov  5 14:46:22 mail postfix/smtpd[4797]: ",
        "Nov  5 14:46:22 mail postfix/smtpd[4797]: BBEEFFA1FC",
        "Nov  5 14:46:22 mail postfix/smtpd[4797]: BBEEFFA1FC: client=localhost[127.0",
        "Nov  5 14:46:22 mail postfix/smtpd[4797]: BBEEFFA1FC: client=localhost[127.0.0.1], sasl_meth",
        "Nov  5 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: from=<alice@exa",
        "Nov  5 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: from=<alice@example.org>, size=407, nrcpt=",
        "Nov  5 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: from=<alice@example.org>, size=407, nrcpt=1 (queue act",
        "Nov  5 14:46:22 mail postfix/pickup[1]: BBEEFFA1FC: uid=0 from=<root@exam",
        "Nov  5 14:46:22 mail postfix/pickup[1]: BBEEFFA1FC: uid=x from=<root>",
    ])
    func malformed(_ line: String) {
        #expect(lpPostfix(line).0.event == .malformed, "\(line)")
    }

    @Test func nulBytesInsideALine() {
        var line = Array("Nov  5 14:46:22 mail postfix/qmgr[1]: BBEEFFA1FC: from=<a".utf8)
        line += [0, 0, 0]
        line += Array("b@x.test>, size=1, nrcpt=3 (queue active)".utf8)
        guard case let .qmgrQueued(_, from, _, nrcpt) = PostfixLine.parse(line).event else {
            Issue.record("not queued"); return
        }
        #expect(from.count == 12 && nrcpt == 3)
    }

    @Test func oneMegabyteLine() {
        let big = String(repeating: "x", count: 1 << 20)
        let (l, _) = lpPostfix("Nov  5 14:46:22 mail postfix/submission/smtpd[1]: BBEEFFA1FC: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=" + big)
        guard case let .smtpdClient(_, _, _, _, user) = l.event else { Issue.record("\(l.event)"); return }
        #expect(user?.count == 1 << 20)
        #expect(lpPostfix("Nov  5 14:46:22 mail postfix/smtpd[1]: " + big).0.event == .other)
        #expect(lpPostfix(big).0.event == .malformed)
    }

    @Test func rawBufferEntryPoint() {
        let bytes = Array("Nov 05 14:46:22 mail postfix/qmgr[4790]: 4jcrTm6wz9z7hwL: removed".utf8)
        let l = bytes.withUnsafeBytes { PostfixLine.parse($0) }
        #expect(l.event == .qmgrRemoved(queueID: QueueID("4jcrTm6wz9z7hwL")!))
    }

    @Test func queueIDShapes() {
        #expect(QueueID("BBEEFFA1FC") != nil)
        #expect(QueueID("3mPVKl0Mhjz7sXv")?.isLong == true)
        #expect(QueueID("NOQUEUE") == nil)
        #expect(QueueID("warning") == nil)
        #expect(QueueID("bbeeffa1fc") == nil)
        #expect(QueueID("ABC") == nil)
        #expect(QueueID("3mPVKl0Mhj7sXvz") == nil)
        #expect(QueueID(String(repeating: "A", count: 24)) == nil)
        #expect(QueueID("BBEEFFA1FC")!.description == "BBEEFFA1FC")
        #expect(QueueID("BBEEFFA1FC") != QueueID("BBEEFFA1FD"))
    }
}
