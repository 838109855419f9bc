import Foundation
import Testing

/// A run killed with SIGKILL midway stores nothing; the next run's counts equal one clean pass.
@Suite struct PostfixLogCrashTests {
    /// The large log written once to a file, with the counts and duration of one clean `run` over it.
    struct CleanPass: Sendable {
        let logPath: String
        let counts: [String: MaillogCount]
        let runSeconds: Double
    }

    static let cleanPass: CleanPass = {
        let path = NSTemporaryDirectory() + "mvpipe-crash-log-\(getpid()).log"
        try! Data(largeLog(messages: 150_000).utf8).write(to: URL(fileURLWithPath: path))
        let harness = try! MaillogHarness()
        try! FileManager.default.copyItem(atPath: path, toPath: harness.file("mail.log"))
        let started = Date()
        let run = try! CLIRunner.run(["run", "--config", harness.configPath, "--now", "2026-11-20T23:00"])
        let seconds = Date().timeIntervalSince(started)
        precondition(run.status == 0, run.stderr)
        return CleanPass(logPath: path, counts: try! MaillogHarness.parse(harness.run(day: "2026-11-20")), runSeconds: seconds)
    }()

    /// `run` (read, store, judge 50 users, deliver 50 alerts to the console) killed at seeded points, twice,
    /// then run to the end: counts equal the clean pass, each user alerted once, every alert delivered.
    @Test(arguments: [3, 17, 29] as [UInt64])
    func runKilledAtSeededPointsWhileReadingThenRerun(seed: UInt64) throws {
        let clean = Self.cleanPass
        #expect(clean.counts.count == 50)
        var rng = SeededRandom(state: seed)
        let harness = try MaillogHarness()
        try FileManager.default.copyItem(atPath: clean.logPath, toPath: harness.file("mail.log"))
        let arguments = ["run", "--config", harness.configPath, "--now", "2026-11-20T23:00"]
        for _ in 0..<2 {
            let fraction = Double.random(in: 0.1...0.6, using: &rng)
            let run = try BackgroundRun(arguments)
            #expect(run.kill(after: clean.runSeconds * fraction), "the run ended before \(fraction) of a clean run's time")
        }
        let final = try CLIRunner.run(arguments)
        #expect(final.status == 0, "stderr: \(final.stderr)")
        #expect(try harness.counts(day: "2026-11-20") == clean.counts)
        let state = StateFile(path: harness.file("state.sqlite"))
        #expect(try state.integrity() == "ok")
        #expect(try state.alerts() == (0..<50).map { "user\($0)@example.org 2026-11-20 #1" }.sorted())
        #expect(try state.delivered(to: "console") == state.alertIDs())
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

    @Test func killedRunThenRerunEqualsCleanPass() throws {
        let log = Self.largeLog(messages: 150_000)
        let clean = try MaillogHarness()
        try clean.write("mail.log", log)
        let started = Date()
        let expected = try clean.counts(day: "2026-11-20")
        let cleanSeconds = Date().timeIntervalSince(started)
        #expect(expected.count == 50)
        #expect(expected.values.reduce(0) { $0 + $1.messages } == 150_000)

        // A first part is read and stored cleanly; the kill hits the run that reads the rest. Under load a
        // run can finish before the kill: then try again on a fresh state, killing earlier.
        var killedMidway = false
        var harness = try MaillogHarness()
        for fraction in [0.5, 0.3, 0.15, 0.08, 0.04, 0.02] where !killedMidway {
            harness = try MaillogHarness()
            let cut = log.utf8.index(log.utf8.startIndex, offsetBy: log.utf8.count / 3)
            let lineEnd = log[..<cut].lastIndex(of: "\n")!
            try harness.write("mail.log", String(log[...lineEnd]))
            _ = try harness.counts(day: "2026-11-20")
            try harness.append("mail.log", String(log[log.index(after: lineEnd)...]))

            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["counts", "--config", harness.configPath, "--day", "2026-11-20", "--json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: cleanSeconds * fraction)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                killedMidway = process.terminationReason == .uncaughtSignal
            } else {
                process.waitUntilExit()
            }
        }
        #expect(killedMidway, "every run finished before it could be killed; make the log larger")
        #expect(try harness.counts(day: "2026-11-20") == expected)
        // And once more: nothing new, nothing twice.
        #expect(try harness.counts(day: "2026-11-20") == expected)
    }
}
