import Foundation
import Testing

/// A run killed with SIGKILL midway stores nothing; the next run's counts equal one clean pass.
@Suite struct PostfixLogCrashTests {
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
