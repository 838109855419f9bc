import Foundation
import Testing
import Pipeline

/// Dedup, escalation, delivery through mailx, retries, dry runs and the run lock, through the CLI.
@Suite struct AlertLifecycleTests {
    /// A mail program that records its arguments and body, or fails when the file `fail` exists beside it.
    static let fakeMail = """
        #!/bin/sh
        dir=$(dirname "$0")
        if [ -e "$dir/fail" ]; then echo "mail: cannot send (simulated)" >&2; exit 1; fi
        n=$(ls "$dir" | grep -c '\\.body$')
        for a in "$@"; do printf '%s\\n' "$a"; done > "$dir/mail-$n.args"
        cat > "$dir/mail-$n.body"
        """

    struct Setup {
        let dir: TemporaryDirectory
        let archive: ArchiveBuilder
        let config: String
        let today = Day("2026-11-25")!

        init(notifiers: [[String: Any]]? = nil) throws {
            dir = try TemporaryDirectory()
            archive = try ArchiveBuilder(root: dir.file("archive"))
            let mail = try dir.write("bin/fake-mail", AlertLifecycleTests.fakeMail, executable: true)
            let list = notifiers ?? [["type": "mailx", "command": mail, "to": ["admin@example.org"], "from": "relay@example.org"]]
            config = try ConfigFile.write(
                ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), notifiers: list, timezone: "UTC"),
                to: dir.file("pipeline.json"))
            for offset in 1...14 { try archive.add(20, sender: "alice@example.org", on: today.adding(days: -offset)) }
        }

        func run(_ now: String, _ extra: [String] = []) throws -> CLIRunner.Result {
            try CLIRunner.run(["run", "--config", config, "--now", now] + extra)
        }

        func mails() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.file("bin"))) ?? [])
                .filter { $0.hasSuffix(".body") }.sorted()
        }

        func read(_ name: String) -> String {
            (try? String(contentsOfFile: dir.file("bin/\(name)"), encoding: .utf8)) ?? ""
        }
    }

    @Test func alertsOncePerDayThenEscalatesAtTwiceTheCount() throws {
        let s = try Setup()
        try s.archive.add(150, sender: "alice@example.org", on: s.today)
        #expect(try s.run("2026-11-25T10:00").status == 0)
        #expect(s.mails().count == 1)
        let args = s.read("mail-0.args").split(separator: "\n").map(String.init)
        #expect(args.count == 5)
        #expect(args.first == "-s")
        #expect(args.dropFirst().first?.hasPrefix("mvpipe on ") == true)
        #expect(args.dropFirst().first?.hasSuffix(": 1 user is sending unusual mail volume") == true)
        #expect(Array(args.dropFirst(2)) == ["-r", "relay@example.org", "admin@example.org"])
        let body = s.read("mail-0.body")
        #expect(body.contains("alice@example.org: 150 messages on 2026-11-25"))
        #expect(body.contains("percent-over-average"))
        #expect(body.contains("last working days: 11-24 20"))

        // More mail, but less than twice 150: no new alert.
        try s.archive.add(100, sender: "alice@example.org", on: s.today)
        #expect(try s.run("2026-11-25T11:00").status == 0)
        #expect(s.mails().count == 1)

        // 300 = 2 × 150: escalation.
        try s.archive.add(50, sender: "alice@example.org", on: s.today)
        let third = try s.run("2026-11-25T12:00", ["--json"])
        #expect(third.status == 0)
        #expect(s.mails().count == 2)
        #expect(s.read("mail-1.body").contains("300 messages"))
        #expect(s.read("mail-1.body").contains("escalation #1"))
        #expect(third.stdout.contains("\"sequence\":2"))

        // The next day starts fresh.
        try s.archive.add(150, sender: "alice@example.org", on: s.today.adding(days: 1))
        #expect(try s.run("2026-11-26T10:00").status == 0)
        #expect(s.mails().count == 3)
    }

    @Test func failedMailProgramKeepsTheAlertQueuedAndRetries() throws {
        let s = try Setup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        try s.dir.write("bin/fail", "")
        let first = try s.run("2026-11-25T10:00")
        #expect(first.status == 75)
        #expect(first.stderr.contains("cannot send (simulated)"))
        #expect(first.stderr.contains("retried on the next run"))
        #expect(s.mails().isEmpty)

        // Still failing: still queued, still 75, and not duplicated.
        #expect(try s.run("2026-11-25T10:05").status == 75)

        try FileManager.default.removeItem(atPath: s.dir.file("bin/fail"))
        let third = try s.run("2026-11-25T10:10")
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(s.mails().count == 1)
        #expect(s.read("mail-0.body").components(separatedBy: "alice@example.org").count == 2)

        // Delivered once: nothing more.
        #expect(try s.run("2026-11-25T10:15").status == 0)
        #expect(s.mails().count == 1)
    }

    @Test func oneFailingNotifierDoesNotStopTheOthers() throws {
        let base = try Setup()
        let good = try base.dir.write("good/fake-mail", AlertLifecycleTests.fakeMail, executable: true)
        let bad = try base.dir.write("bad/fake-mail", AlertLifecycleTests.fakeMail, executable: true)
        try base.dir.write("bad/fail", "")
        let config = try ConfigFile.write(ConfigFile.archive(
            root: base.dir.file("archive"), state: base.dir.file("state.sqlite"),
            notifiers: [["type": "mailx", "name": "good", "command": good, "to": ["a@example.org"]],
                        ["type": "mailx", "name": "bad", "command": bad, "to": ["b@example.org"]]],
            timezone: "UTC"), to: base.dir.file("two.json"))
        try base.archive.add(250, sender: "alice@example.org", on: base.today)
        #expect(try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:00"]).status == 75)
        #expect(FileManager.default.fileExists(atPath: base.dir.file("good/mail-0.body")))
        try FileManager.default.removeItem(atPath: base.dir.file("bad/fail"))
        #expect(try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:05"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: base.dir.file("bad/mail-0.body")))
        // Each got it exactly once.
        #expect(!FileManager.default.fileExists(atPath: base.dir.file("good/mail-1.body")))
        #expect(!FileManager.default.fileExists(atPath: base.dir.file("bad/mail-1.body")))
    }

    @Test func hostileNamesReachTheMailBodyEscaped() throws {
        let s = try Setup()
        try s.archive.add(250, senderBytes: Array("evil\r\nBcc: x@evil.test\n~! reboot".utf8), on: s.today)
        #expect(try s.run("2026-11-25T10:00").status == 0)
        let body = s.read("mail-0.body")
        #expect(body.contains("evil\\x0d\\x0abcc: x@evil.test\\x0a~! reboot"))
        #expect(!body.contains("\nBcc:"))
        #expect(!body.split(separator: "\n").contains { $0.hasPrefix("~") })
        // No user text in the arguments (subject, addresses).
        #expect(!s.read("mail-0.args").contains("evil"))
    }

    @Test func dryRunPrintsButWritesAndSendsNothing() throws {
        let s = try Setup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let dry = try s.run("2026-11-25T10:00", ["--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("would alert"))
        #expect(dry.stdout.contains("alice@example.org: 250 messages"))
        #expect(s.mails().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("state.sqlite")))
        // A real run afterwards still alerts (the dry run recorded nothing).
        #expect(try s.run("2026-11-25T10:01").status == 0)
        #expect(s.mails().count == 1)
    }

    @Test func secondRunWaitsForTheLockThenGivesUp() throws {
        let s = try Setup(notifiers: [["type": "console"]])
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let fd = open(s.dir.file("state.sqlite.lock"), O_RDWR | O_CREAT, 0o644)
        #expect(flock(fd, LOCK_EX) == 0)
        let started = Date()
        let blocked = try s.run("2026-11-25T10:00", ["--lock-timeout", "1"])
        #expect(blocked.status == 75)
        #expect(blocked.stderr.contains("another mvpipe run holds the lock"))
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(!blocked.stdout.contains("alice"))
        flock(fd, LOCK_UN)
        close(fd)
        let free = try s.run("2026-11-25T10:01")
        #expect(free.status == 0)
        #expect(free.stdout.contains("alice@example.org: 250 messages"))
    }

    @Test func corruptStateIsAnErrorAndLeftUntouched() throws {
        let s = try Setup(notifiers: [["type": "console"]])
        let garbage = String(repeating: "not a database ", count: 100)
        try s.dir.write("state.sqlite", garbage)
        let result = try s.run("2026-11-25T10:00")
        #expect(result.status == 74)
        #expect(result.stderr.contains("state"))
        #expect(result.stderr.contains("left untouched"))
        #expect(try String(contentsOfFile: s.dir.file("state.sqlite"), encoding: .utf8) == garbage)
    }

    @Test func quietWhenNothingIsUnusual() throws {
        let s = try Setup(notifiers: [["type": "console"]])
        try s.archive.add(25, sender: "alice@example.org", on: s.today)
        let result = try s.run("2026-11-25T10:00")
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.isEmpty)
    }
}
