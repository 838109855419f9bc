import Foundation
import Pipeline
import Testing
@testable import Sources

/// The pieces of the maillog sources, one by one.
@Suite struct MaillogUnitTests {
    /// Feeds lines to a handler and collects them.
    struct Collector: LogLineHandler {
        var lines: [String] = []
        mutating func handle(_ line: UnsafeBufferPointer<UInt8>) -> LineOutcome {
            lines.append(String(decoding: line, as: UTF8.self))
            return .used
        }
    }

    @Test func yearlessStampsInferTheYearFromTheRunDate() throws {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
        let january = try #require(calendar.parseLocalTime("2027-01-05T08:00"))
        var resolver = DayResolver(calendar: calendar, now: january)
        let december = try #require(lpStamp("Dec 31 23:59:59 mx postfix/qmgr[1]: x"))
        #expect(resolver.day(of: december) == Day("2026-12-31"))
        let early = try #require(lpStamp("Jan  4 00:00:01 mx postfix/qmgr[1]: x"))
        #expect(resolver.day(of: early) == Day("2027-01-04"))
        let leap = try #require(lpStamp("Feb 29 10:00:00 mx postfix/qmgr[1]: x"))
        #expect(resolver.day(of: leap) == nil)  // more than a day ahead, so 2026, which has no 29 February
    }

    @Test func rfc3339StampsAreConvertedAcrossMidnight() throws {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
        var resolver = DayResolver(calendar: calendar, now: Date())
        let late = try #require(lpStamp("2026-11-29T23:30:00.123456+00:00 vm postfix/qmgr[1]: x"))
        #expect(resolver.day(of: late) == Day("2026-11-30"))
        let before = try #require(lpStamp("2026-11-29T22:59:59Z vm postfix/qmgr[1]: x"))
        #expect(resolver.day(of: before) == Day("2026-11-29"))
        #expect(resolver.day(of: late) == Day("2026-11-30"))
    }

    @Test func qmgrLineBeforeClientLineStillGivesRecipients() {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        var tracker = LogTracker(format: PostfixFormat(identity: .saslUsername, lowercase: true, maxInFlight: 1000),
                                 resolver: DayResolver(calendar: calendar, now: Date()))
        let lines = [
            "2026-11-20T10:00:01Z mx postfix/qmgr[1]: BBEEFFA1FC: from=<k@example.org>, size=1, nrcpt=4 (queue active)",
            "2026-11-20T10:00:00Z mx postfix/submission/smtpd[2]: BBEEFFA1FC: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=K@example.org",
            "2026-11-20T10:00:02Z mx postfix/qmgr[1]: BBEEFFA1FC: from=<k@example.org>, size=1, nrcpt=4 (queue active)",
        ]
        for line in lines { _ = Array(line.utf8).withUnsafeBufferPointer { tracker.handle($0) } }
        let volumes = tracker.tally.volumes(users: tracker.users, withRecipients: true)
        #expect(volumes == [Day("2026-11-20")!: ["k@example.org": UserVolume(messages: 1, recipients: 4)]])
    }

    @Test func inFlightStateSurvivesTheCheckpoint() throws {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let resolver = DayResolver(calendar: calendar, now: Date())
        var first = LogTracker(format: PostfixFormat(identity: .saslUsername, lowercase: true, maxInFlight: 1000), resolver: resolver)
        let client = "2026-11-20T10:00:00Z mx postfix/smtps/smtpd[2]: 3mPVKl0Mhjz7sXv: client=x[192.0.2.1], sasl_method=LOGIN, sasl_username=l\u{00FC}ck@example.org"
        _ = Array(client.utf8).withUnsafeBufferPointer { first.handle($0) }
        var writer = CheckpointWriter()
        first.encodeState(to: &writer)
        let saved = MaillogCheckpoint(kind: "postfix-log", cursors: [], state: writer.bytes).encoded()

        let checkpoint = try MaillogCheckpoint(decoding: saved, kind: "postfix-log")
        var second = LogTracker(format: PostfixFormat(identity: .saslUsername, lowercase: true, maxInFlight: 1000), resolver: resolver)
        var reader = CheckpointReader(checkpoint.state)
        #expect(try second.decodeState(from: &reader) == nil)
        let queued = "2026-11-20T10:00:01Z mx postfix/qmgr[1]: 3mPVKl0Mhjz7sXv: from=<x@example.org>, size=1, nrcpt=7 (queue active)"
        _ = Array(queued.utf8).withUnsafeBufferPointer { second.handle($0) }
        #expect(second.tally.volumes(users: second.users, withRecipients: true)
                == [Day("2026-11-20")!: ["l\u{00FC}ck@example.org": UserVolume(messages: 0, recipients: 7)]])
        // A damaged or foreign checkpoint is refused, never half-read.
        #expect(throws: (any Error).self) { try MaillogCheckpoint(decoding: Array(saved.dropLast()), kind: "postfix-log") }
        #expect(throws: (any Error).self) { try MaillogCheckpoint(decoding: saved, kind: "assp-log") }
    }

    /// State saved by the trackers before the shared ledger (layout version 1) is still read after an upgrade.
    @Test func stateOfTheFirstLayoutIsReadAfterAnUpgrade() throws {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let resolver = DayResolver(calendar: calendar, now: Date())
        // postfix-log version 1: identity, newest time, names, then queue ID entries (no sessions).
        var v1 = CheckpointWriter()
        v1.append(UInt64(1))
        v1.append(bytes: Array("sasl_username".utf8))
        v1.append(signed: 1_800_000_000)
        v1.append(UInt64(1))
        v1.append(bytes: Array("old@example.org".utf8))
        v1.append(UInt64(1))
        v1.append(bytes: Array("BBEEFFA1FC".utf8))
        v1.append(signed: 1_800_000_000)
        v1.append(signed: Int64(Day("2026-11-20")!.dayNumber))
        v1.append(signed: 0)
        v1.append(signed: -1)
        v1.append(UInt64(InFlightMessage.originSeen | InFlightMessage.counted))
        var postfix = LogTracker(format: PostfixFormat(identity: .saslUsername, lowercase: true, maxInFlight: 1000), resolver: resolver)
        var reader = CheckpointReader(v1.bytes)
        #expect(try postfix.decodeState(from: &reader) == nil)
        let queued = "2026-11-20T10:00:01Z mx postfix/qmgr[1]: BBEEFFA1FC: from=<x@example.org>, size=1, nrcpt=3 (queue active)"
        _ = Array(queued.utf8).withUnsafeBufferPointer { postfix.handle($0) }
        #expect(postfix.tally.volumes(users: postfix.users, withRecipients: true)
                == [Day("2026-11-20")!: ["old@example.org": UserVolume(messages: 0, recipients: 3)]])

        // assp-log version 1: newest time, logins (key, name, time), counted message IDs (ID, time). A login kept
        // by worker and client IP becomes a session whose next message is charged to it; the rest is of no use now.
        var assp1 = CheckpointWriter()
        assp1.append(UInt64(1))
        assp1.append(signed: 1_800_000_000)
        assp1.append(UInt64(2))
        assp1.append(bytes: Array("Worker_1|192.0.2.10".utf8))
        assp1.append(bytes: Array("alice".utf8))
        assp1.append(signed: 1_800_000_000)
        assp1.append(bytes: Array("m1-1-1".utf8))
        assp1.append(bytes: Array("bob".utf8))
        assp1.append(signed: 1_800_000_000)
        assp1.append(UInt64(1))
        assp1.append(bytes: Array("m1-2-2".utf8))
        assp1.append(signed: 1_800_000_000)
        var assp = LogTracker(format: ASSPFormat(identity: .login, lowercase: true, localDomains: []), resolver: resolver)
        var asspReader = CheckpointReader(assp1.bytes)
        #expect(try assp.decodeState(from: &asspReader) == nil)
        #expect(assp.ledger.sessions[Array("Worker_1|192.0.2.10".utf8)]?.sessions.map(\.login) == [Array("alice".utf8)])
        #expect(assp.ledger.sessions.count == 1 && assp.ledger.messages.isEmpty)
        let accepted = "Jan-15-27 08:10:00 m1-00000-00001 [Worker_1] [MessageOK] 192.0.2.10 <a@example.org> to: r@remote.test message ok"
        #expect(Array(accepted.utf8).withUnsafeBufferPointer { assp.handle($0) } == .used)
        #expect(assp.tally.volumes(users: assp.users, withRecipients: true)
                == [Day("2027-01-15")!: ["alice": UserVolume(messages: 1, recipients: nil)]])
    }

    @Test func inFlightQueueIDsAreBounded() {
        let calendar = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        var tracker = LogTracker(format: PostfixFormat(identity: .saslUsername, lowercase: true, maxInFlight: 1000),
                                 resolver: DayResolver(calendar: calendar, now: Date()))
        for n in 0..<5000 {
            let line = "2026-11-20T10:\(String(format: "%02d", n / 60 % 60)):\(String(format: "%02d", n % 60))Z mx postfix/smtpd[2]: A\(String(format: "%09X", n)): client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=m@example.org"
            _ = Array(line.utf8).withUnsafeBufferPointer { tracker.handle($0) }
        }
        #expect(tracker.ledger.messages.count == 5000)
        tracker.evict()
        #expect(tracker.ledger.messages.count <= 1000)
        #expect(tracker.ledger.messages.forgotten >= 4000)
    }

    @Test func scannerSkipsHugeLinesAndLeavesAPartialLastLine() throws {
        let scanner = LineScanner(chunkSize: 64, maxLineLength: 32)
        let text = "first\n" + String(repeating: "x", count: 1000) + "\nsecond\r\nthird-partial"
        let path = NSTemporaryDirectory() + "mvpipe-scan-\(UUID().uuidString)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var collector = Collector()
        let outcome = scanner.scan(PlainFileSource(fd: fd), startOffset: 0, finalLineComplete: false, handler: &collector)
        #expect(collector.lines == ["first", "second"])
        #expect(outcome.overlong == 1 && outcome.lines == 3)
        #expect(outcome.endOffset == UInt64(text.utf8.count - "third-partial".utf8.count))
        var rest = Collector()
        _ = scanner.scan(PlainFileSource(fd: fd, position: outcome.endOffset), startOffset: outcome.endOffset,
                         finalLineComplete: true, handler: &rest)
        #expect(rest.lines == ["third-partial"])
    }

    @Test func gzipMembersAreReadInChunks() throws {
        let dir = try TemporaryDirectory("mvpipe-gz")
        let one = String(repeating: "line one of member one\n", count: 5000)
        try dir.write("a", one)
        try dir.write("b", "member two\n")
        for name in ["a", "b"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = [dir.file(name)]
            try p.run()
            p.waitUntilExit()
        }
        let joined = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.gz"))) + Data(contentsOf: URL(fileURLWithPath: dir.file("b.gz")))
        try joined.write(to: URL(fileURLWithPath: dir.file("c.gz")))
        let file = try LogFileCandidate(path: Array(dir.file("c.gz").utf8))
        #expect(file.compressed && file.head.count == Fingerprint.length)
        var collector = Collector()
        let outcome = LineScanner(chunkSize: 4096).scan(try file.source(), startOffset: 0, finalLineComplete: true,
                                                        handler: &collector)
        #expect(outcome.error == nil && outcome.reachedEnd)
        #expect(collector.lines.count == 5001 && collector.lines.last == "member two")
        // Cut short (gzip still writing): an error after what could be read, never a crash.
        try joined.prefix(joined.count / 3).write(to: URL(fileURLWithPath: dir.file("d.gz")))
        let cut = try LogFileCandidate(path: Array(dir.file("d.gz").utf8))
        var partial = Collector()
        let cutOutcome = LineScanner().scan(try cut.source(), startOffset: 0, finalLineComplete: true, handler: &partial)
        #expect(cutOutcome.error != nil)
        #expect(partial.lines.count < 5000)
    }
}
