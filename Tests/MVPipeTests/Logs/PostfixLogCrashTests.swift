import Foundation
import Pipeline
import Testing

/// `run` and `counts` over a large Postfix log, killed with SIGKILL at seeded points of their work (a byte offset
/// while reading, a committed transaction, a delivery not yet recorded: `MVPIPE_TEST_KILL_AT`, see
/// `TestKillPoint`), then run again: a killed run stores nothing half-done, and the next run's counts equal one
/// clean pass. Where a run dies depends on the seed only, never on the machine's speed.
@Suite struct PostfixLogCrashTests {
    /// Messages in the log: 50 users, inbound noise, about 18 MB (18 chunks of the line scanner).
    static let messages = 30_000

    /// The large log written once to a file, and the counts of one clean `run` over it.
    struct CleanPass: Sendable {
        let logPath: String
        let log: String
        let counts: [String: MaillogCount]
    }

    static let cleanPass: CleanPass = {
        let path = NSTemporaryDirectory() + "mvpipe-crash-log-\(getpid()).log"
        let log = largeLog(messages: messages)
        try! Data(log.utf8).write(to: URL(fileURLWithPath: path))
        let harness = try! MaillogHarness()
        try! FileManager.default.copyItem(atPath: path, toPath: harness.file("mail.log"))
        let run = try! CLIRunner.run(["run", "--config", harness.configPath, "--now", "2026-11-20T23:00"])
        precondition(run.status == 0, run.stderr)
        return CleanPass(logPath: path, log: log, counts: try! MaillogHarness.parse(harness.run(day: "2026-11-20")))
    }()

    /// What a run killed at a point has stored.
    enum Stored: Equatable { case nothing, counts, alerts }

    /// `run` (read, store, judge 50 users, deliver 50 alerts to the console) killed twice: first while reading,
    /// then at a seeded one of: while reading, after the counts were committed, after the alerts were saved, after
    /// the console printed the alerts but before that was recorded. Then run to the end: counts equal the clean
    /// pass, each user alerted once, every alert delivered.
    @Test(arguments: [3, 17, 29, 31] as [UInt64])
    func runKilledAtSeededPointsThenRerun(seed: UInt64) throws {
        let clean = Self.cleanPass
        #expect(clean.counts.count == 50)
        var rng = SeededRandom(state: seed)
        let harness = try MaillogHarness()
        try FileManager.default.copyItem(atPath: clean.logPath, toPath: harness.file("mail.log"))
        let arguments = ["run", "--config", harness.configPath, "--now", "2026-11-20T23:00"]
        let state = StateFile(path: harness.file("state.sqlite"))
        let size = clean.log.utf8.count
        let choices: [(KillPoint, Stored)] = [
            (KillPoint(.read, Int.random(in: 1...size, using: &rng)), .nothing),
            (KillPoint(.commit, 1), .counts),
            (KillPoint(.commit, 2), .alerts),
            (KillPoint(.delivered, 1), .alerts),
        ]
        let points = [(KillPoint(.read, Int.random(in: 1...size, using: &rng)), Stored.nothing),
                      choices[Int.random(in: 0..<choices.count, using: &rng)]]
        for (point, stored) in points {
            let run = try CLIRunner.run(arguments, environment: point.environment)
            #expect(point.killed(run), "the run did not die at \(point): status \(run.status), stderr: \(run.stderr)")
            #expect(try state.integrity() == "ok")
            let messages = try state.volumes().values.reduce(0, +)
            #expect(messages == (stored == .nothing ? 0 : Self.messages), "killed at \(point)")
            #expect(try state.alerts().count == (stored == .alerts ? 50 : 0), "killed at \(point)")
            #expect(try state.delivered(to: "console").isEmpty, "killed at \(point)")
        }
        let final = try CLIRunner.run(arguments)
        #expect(final.status == 0, "stderr: \(final.stderr)")
        #expect(try harness.counts(day: "2026-11-20") == clean.counts)
        #expect(try state.integrity() == "ok")
        #expect(try state.alerts() == (0..<50).map { "user\($0)@example.org 2026-11-20 #1" }.sorted())
        #expect(try state.delivered(to: "console") == state.alertIDs())
    }

    /// A first part of the log is read and stored cleanly; `counts` is killed while reading the rest (at a seeded
    /// byte of it) or just after storing it; then `counts` twice: equal to the clean pass, nothing counted twice.
    @Test(arguments: [5, 13, 19] as [UInt64])
    func countsKilledWhileReadingNewLinesThenRerun(seed: UInt64) throws {
        let clean = Self.cleanPass
        var rng = SeededRandom(state: seed)
        let log = clean.log
        let harness = try MaillogHarness()
        let cut = log.utf8.index(log.utf8.startIndex, offsetBy: log.utf8.count / 3)
        let lineEnd = log[..<cut].lastIndex(of: "\n")!
        try harness.write("mail.log", String(log[...lineEnd]))
        let part = try harness.counts(day: "2026-11-20")
        #expect(part.values.reduce(0) { $0 + $1.messages } < Self.messages)
        let rest = String(log[log.index(after: lineEnd)...])
        try harness.append("mail.log", rest)

        let point = Bool.random(using: &rng) ? KillPoint(.commit, 1) : KillPoint(.read, Int.random(in: 1...rest.utf8.count, using: &rng))
        let killed = try CLIRunner.run(["counts", "--config", harness.configPath, "--day", "2026-11-20", "--json", "--store-for-tests"],
                                       environment: point.environment)
        #expect(point.killed(killed), "counts did not die at \(point): status \(killed.status), stderr: \(killed.stderr)")
        #expect(killed.stdout.isEmpty)

        let expected = clean.counts
        #expect(expected.values.reduce(0) { $0 + $1.messages } == Self.messages)
        #expect(try harness.counts(day: "2026-11-20") == expected)
        // And once more: nothing new, nothing twice.
        #expect(try harness.counts(day: "2026-11-20") == expected)
    }

    /// About `messages` interleaved submissions by 50 users plus inbound noise, on one day.
    static func largeLog(messages: Int) -> String {
        var log = ""
        log.reserveCapacity(messages * 700)
        for n in 0..<messages {
            let user = "user\(n % 50)@example.org"
            let s = n / 10
            log += PostfixLines.client(n, user: user, at: s)
            log += "\(PostfixLines.stamp(s)) postfix/smtpd[3001]: connect from unknown[203.0.113.\(n % 250)]\n"
            log += "\(PostfixLines.stamp(s)) postfix/smtpd[3001]: NOQUEUE: reject: RCPT from unknown[203.0.113.\(n % 250)]: 554 5.7.1 Relay access denied; from=<x@y.test> to=<z@remote.test> proto=ESMTP helo=<x>\n"
            if n > 0 { log += PostfixLines.queued(n - 1, from: "user\((n - 1) % 50)@example.org", rcpt: 1 + (n - 1) % 3, at: s) }
            log += PostfixLines.removed(n > 1 ? n - 2 : n, at: s)
        }
        return log
    }
}
