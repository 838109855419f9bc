import Foundation
import Testing

/// `mvpipe counts` on postfix-journal sources over journal files written by systemd-journal-remote.
@Suite struct PostfixJournalTests {
    /// What postfix-log counts on the same lines (and what was sent: Tests/Fixtures/postfix/expected.json).
    static func postfixLogCounts(identity: String? = nil) throws -> [String: MaillogCount] {
        let harness = try MaillogHarness(identity: identity)
        try FileManager.default.copyItem(atPath: JournalFiles.postfixLog, toPath: harness.file("mail.log"))
        return try harness.counts(day: JournalFiles.day)
    }

    @Test(arguments: ["sasl_username", "sender", "client_ip"])
    func countsEqualPostfixLogOnTheSameLines(identity: String) throws {
        let expected = try Self.postfixLogCounts(identity: identity)
        if identity == "sasl_username" {
            #expect(expected == (try PostfixLogEndToEndTests.expectedUsers()))
        }
        let harness = try JournalFiles.harness(identity: identity)
        // With the unrelated entries: one quotes a client= line with sasl_username=mallory-..., one is binary.
        try JournalFiles.write(harness.file("journal/postfix.journal"))
        let first = try harness.run(day: JournalFiles.day)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try MaillogHarness.parse(first) == expected)
        #expect(!first.stderr.contains("skipped"), "\(first.stderr)")
        #expect(try harness.counts(day: JournalFiles.day) == expected, "a second run counts nothing twice")
    }

    /// Any local user can `logger -t postfix/smtpd '...: client=..., sasl_username=victim@...'`: it lands in the
    /// user's session scope, not in Postfix's unit, and must not count.
    @Test func anEntryImitatingPostfixFromAUserSessionDoesNotCount() throws {
        let harness = try JournalFiles.harness()
        try JournalFiles.write(harness.file("journal/postfix.journal"), ["--spoof"])
        let counts = try harness.counts(day: JournalFiles.day)
        #expect(counts["victim@example.org"] == nil)
        #expect(counts == (try PostfixLogEndToEndTests.expectedUsers()))
    }

    /// journald closes a file and starts another: the second file, arriving between runs, is read once, and the
    /// messages whose lines straddle the two files count once with their recipients.
    @Test func aSecondFileArrivingBetweenRunsIsReadOnce() throws {
        let harness = try JournalFiles.harness()
        try JournalFiles.write(harness.file("journal/one.journal"), lines: ":60")
        let early = try harness.counts(day: JournalFiles.day)
        let all = try PostfixLogEndToEndTests.expectedUsers()
        #expect(!early.isEmpty && early != all)
        #expect(try harness.counts(day: JournalFiles.day) == early, "nothing new: nothing counted")
        try JournalFiles.write(harness.file("journal/two.journal"), lines: "61:")
        #expect(try harness.counts(day: JournalFiles.day) == (try PostfixLogEndToEndTests.expectedUsers()))
        #expect(try harness.counts(day: JournalFiles.day) == (try PostfixLogEndToEndTests.expectedUsers()))
    }

    /// `journalctl --vacuum-*` deletes archived files: the saved cursor's entry is gone. Reading goes on from the
    /// first entry after the saved time (not one entry later, as `journalctl --after-cursor` would), and says so.
    @Test func aVacuumedCursorReadsOnFromTheSavedTime() throws {
        let harness = try JournalFiles.harness()
        try JournalFiles.write(harness.file("journal/one.journal"), lines: ":60")
        _ = try harness.counts(day: JournalFiles.day)
        try JournalFiles.write(harness.file("journal/two.journal"), lines: "61:")
        try FileManager.default.removeItem(atPath: harness.file("journal/one.journal"))
        let run = try harness.run(day: JournalFiles.day)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("no longer holds the entry read last"), "\(run.stderr)")
        #expect(try MaillogHarness.parse(run) == (try PostfixLogEndToEndTests.expectedUsers()))
        // The next run has a cursor that exists again: nothing new, nothing said.
        let again = try harness.run(day: JournalFiles.day)
        #expect(!again.stderr.contains("no longer holds"), "\(again.stderr)")
        #expect(try MaillogHarness.parse(again) == (try PostfixLogEndToEndTests.expectedUsers()))
    }

    @Test func aMissingOrEmptyJournalFolderFailsTheSource() throws {
        let harness = try JournalFiles.harness()
        let empty = try harness.run(day: JournalFiles.day)
        #expect(empty.status == 66, "\(empty.stderr)")
        #expect(empty.stderr.contains("no journal files"), "\(empty.stderr)")
        try FileManager.default.removeItem(atPath: harness.file("journal"))
        let missing = try harness.run(day: JournalFiles.day)
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
    }

    /// Postfix's entries read before, then a journal without any (replaced, or Postfix logging elsewhere now):
    /// the source fails and keeps its position.
    @Test func aJournalWithoutPostfixWhereItHadPostfixFailsTheSource() throws {
        let harness = try JournalFiles.harness()
        try JournalFiles.write(harness.file("journal/one.journal"), lines: ":60")
        let before = try harness.counts(day: JournalFiles.day)
        try FileManager.default.removeItem(atPath: harness.file("journal/one.journal"))
        try JournalFiles.write(harness.file("journal/other.journal"), lines: "1:0")
        let run = try harness.run(day: JournalFiles.day)
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains("no longer holds entries of a Postfix unit"), "\(run.stderr)")
        // The same entries back (a journal restored from a copy, written anew): nothing is counted twice.
        try JournalFiles.write(harness.file("journal/restored.journal"), lines: ":60")
        #expect(try harness.counts(day: JournalFiles.day) == before)
    }

    /// Journal files the account may not read (not in group systemd-journal): sd-journal would skip them silently and
    /// report no mail; the source fails instead, naming the file and the group to join, and stores nothing.
    @Test func journalFilesTheAccountMayNotReadFailTheSource() throws {
        let harness = try JournalFiles.harness()
        chmod(harness.dir.path, 0o755)
        chmod(harness.file("journal"), 0o755)
        chmod(harness.configPath, 0o644)
        Unprivileged.allowWrite(harness.dir.path)
        try JournalFiles.write(harness.file("journal/postfix.journal"))
        Unprivileged.denyRead(harness.file("journal/postfix.journal"))
        let arguments = ["counts", "--config", harness.configPath, "--day", JournalFiles.day, "--json"]
        let denied = try Unprivileged.run(arguments)
        #expect(denied.status == 66, "\(denied.stderr)")
        #expect(denied.stderr.contains(harness.file("journal/postfix.journal")), "\(denied.stderr)")
        #expect(denied.stderr.contains("adduser"), "says how to fix it: \(denied.stderr)")
        #expect(try MaillogHarness.parse(denied).isEmpty)
        // Once the account may read it, everything counts, once.
        chmod(harness.file("journal/postfix.journal"), 0o644)
        let allowed = try Unprivileged.run(arguments)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try MaillogHarness.parse(allowed) == (try PostfixLogEndToEndTests.expectedUsers()))
    }
}
