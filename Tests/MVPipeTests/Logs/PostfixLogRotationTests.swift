import Foundation
import Testing

/// Incremental reading across runs and log rotation: the final counts always equal one clean pass.
@Suite struct PostfixLogRotationTests {
    let p = PostfixLines.self

    /// Counts `log` in one pass on a fresh state.
    func cleanPass(_ log: String) throws -> [String: MaillogCount] {
        let harness = try MaillogHarness()
        try harness.write("mail.log", log)
        return try harness.counts(day: "2026-11-20")
    }

    @Test func renameThenGzipWithQueueIDsStraddlingFilesAndRuns() throws {
        let harness = try MaillogHarness()
        var all = ""
        func add(_ file: String, _ text: String) throws {
            try harness.append(file, text)
            all += text
        }
        // Run 1: three messages, and a fourth whose qmgr line is not written yet.
        try add("mail.log", p.message(1, user: "alice@example.org", at: 0) + p.message(2, user: "bob@example.org", rcpt: 2, at: 10)
                + p.message(3, user: "alice@example.org", at: 20) + p.client(4, user: "alice@example.org", at: 30))
        #expect(try harness.counts(day: "2026-11-20") == ["alice@example.org": .init(messages: 3, recipients: 2),
                                                         "bob@example.org": .init(messages: 1, recipients: 2)])
        // Rotation by rename: mail.log → mail.log.1 after more lines, a fresh mail.log.
        try add("mail.log", p.queued(4, from: "alice@example.org", rcpt: 5, at: 31) + p.message(5, user: "bob@example.org", at: 40)
                + p.client(6, user: "carol@example.org", at: 50))
        try harness.move("mail.log", "mail.log.1")
        try add("mail.log", p.queued(6, from: "carol@example.org", rcpt: 4, at: 51) + p.message(7, user: "alice@example.org", at: 60))
        #expect(try harness.counts(day: "2026-11-20") == ["alice@example.org": .init(messages: 4, recipients: 8),
                                                         "bob@example.org": .init(messages: 2, recipients: 3),
                                                         "carol@example.org": .init(messages: 1, recipients: 4)])
        // Next rotation: mail.log.1 compressed to mail.log.2.gz, mail.log → mail.log.1; the new mail.log
        // ends in a line still being written.
        try add("mail.log", p.message(8, user: "bob@example.org", at: 70))
        try harness.move("mail.log.1", "mail.log.2")
        try harness.gzip("mail.log.2")
        try harness.move("mail.log", "mail.log.1")
        let partial = p.client(9, user: "dave@example.org", at: 80)
        let cut = partial.index(partial.startIndex, offsetBy: 60)
        try harness.write("mail.log", String(partial[..<cut]))
        #expect(try harness.counts(day: "2026-11-20")["dave@example.org"] == nil)
        // The writer finishes the line: it counts once.
        try harness.append("mail.log", String(partial[cut...]) + p.queued(9, from: "dave@example.org", rcpt: 1, at: 81))
        all += partial + p.queued(9, from: "dave@example.org", rcpt: 1, at: 81)
        let final = try harness.counts(day: "2026-11-20")
        #expect(final == (try cleanPass(all)))
        #expect(final["dave@example.org"] == .init(messages: 1, recipients: 1))
        #expect(final.values.reduce(0) { $0 + $1.messages } == 9)
        // Compressing the last rotated file again changes nothing.
        try harness.gzip("mail.log.1")
        #expect(try harness.counts(day: "2026-11-20") ==  final)
    }

    @Test func copytruncate() throws {
        let harness = try MaillogHarness()
        var all = p.message(1, user: "alice@example.org", at: 0) + p.client(2, user: "alice@example.org", at: 10)
        try harness.write("mail.log", all)
        #expect(try harness.counts(day: "2026-11-20") == ["alice@example.org": .init(messages: 2, recipients: 1)])
        // More lines, then logrotate copies mail.log to mail.log.1 and truncates mail.log in place.
        let more = p.queued(2, from: "alice@example.org", rcpt: 3, at: 11) + p.message(3, user: "bob@example.org", at: 20)
        try harness.append("mail.log", more)
        all += more
        try FileManager.default.copyItem(atPath: harness.file("mail.log"), toPath: harness.file("mail.log.1"))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.file("mail.log")))
        try handle.truncate(atOffset: 0)
        try handle.close()
        #expect(try harness.counts(day: "2026-11-20") ==  (try cleanPass(all)))
        let after = p.message(4, user: "bob@example.org", rcpt: 2, at: 30)
        try harness.append("mail.log", after)
        all += after
        let final = try harness.counts(day: "2026-11-20")
        #expect(final == (try cleanPass(all)))
        #expect(final == ["alice@example.org": .init(messages: 2, recipients: 4), "bob@example.org": .init(messages: 2, recipients: 3)])
    }

    @Test func firstRunBackfillsEveryRotatedFileAndOldDaysStay() throws {
        let harness = try MaillogHarness()
        // Two weeks of rotated logs, compressed, plus the current file: each day has its own messages.
        for back in 0..<14 {
            let day = "2026-11-" + (6 + back < 10 ? "0" : "") + "\(6 + back)"
            var text = ""
            for i in 0...back {
                let n = back * 100 + i
                text += "\(PostfixLines.stamp(i * 10, day: day)) postfix/submission/smtpd[1]: \(PostfixLines.queueID(n)): client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=ivan@example.org\n"
                text += "\(PostfixLines.stamp(i * 10, day: day)) postfix/qmgr[1]: \(PostfixLines.queueID(n)): from=<ivan@example.org>, size=1, nrcpt=2 (queue active)\n"
            }
            let name = back == 13 ? "mail.log" : "mail.log.\(13 - back)"
            try harness.write(name, text)
            let stamp = Date(timeIntervalSince1970: 1_790_000_000 + Double(back) * 86_400)
            try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: harness.file(name))
            if back < 12 { try harness.gzip(name) }
        }
        #expect(try harness.counts(day: "2026-11-06") == ["ivan@example.org": .init(messages: 1, recipients: 2)])
        #expect(try harness.counts(day: "2026-11-19") == ["ivan@example.org": .init(messages: 14, recipients: 28)])
        // The old files rotate away: their days keep their counts in state.
        for n in 2...13 { try? FileManager.default.removeItem(atPath: harness.file("mail.log.\(n).gz")) }
        #expect(try harness.counts(day: "2026-11-06") == ["ivan@example.org": .init(messages: 1, recipients: 2)])
        #expect(try harness.counts(day: "2026-11-10") == ["ivan@example.org": .init(messages: 5, recipients: 10)])
    }

    @Test func damagedGzipAndShrunkFilesAreNotedAndSkipped() throws {
        let harness = try MaillogHarness()
        try harness.write("mail.log", p.message(1, user: "judy@example.org", at: 0) + String(repeating: p.message(2, user: "judy@example.org", at: 5), count: 1))
        try harness.write("mail.log.3.gz", bytes: [0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x03, 0xFF, 0xFF, 0xFF])
        try FileManager.default.createDirectory(atPath: harness.file("mail.log.d"), withIntermediateDirectories: true)
        let first = try harness.run(day: "2026-11-20")
        #expect(first.status == 0)
        #expect(try MaillogHarness.parse(first) == ["judy@example.org": .init(messages: 2, recipients: 2)])
        #expect(first.stderr.contains("mail.log.3.gz"), "\(first.stderr)")
        // The file shrinks below what was read (its head intact): noted, nothing counted twice, new lines count.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.file("mail.log")))
        try handle.truncate(atOffset: 300)
        try handle.close()
        let second = try harness.run(day: "2026-11-20")
        #expect(second.stderr.contains("shrank"), "\(second.stderr)")
        #expect(try MaillogHarness.parse(second) == ["judy@example.org": .init(messages: 2, recipients: 2)])
        try harness.append("mail.log", "\n" + p.message(3, user: "judy@example.org", at: 10))
        #expect(try harness.counts(day: "2026-11-20") == ["judy@example.org": .init(messages: 3, recipients: 3)])
    }
}
