import Foundation
import Testing

/// Memory does not grow with the number of users a run judges: counts and history live in SQLite. The
/// million-sender and 2 GB figures come from Benchmarks/resource-limits.sh (minutes, GBs of disk); this test
/// keeps the property in the suite at 100 000 senders.
@Suite("resource limits") struct ResourceLimitTests {
    /// Peak RSS in MB of `mvpipe ARGS`, measured by GNU time (Debian package `time`, installed by scripts/test-setup).
    static func peakRSS(_ arguments: [String]) throws -> (status: Int32, megabytes: Int) {
        let time = "/usr/bin/time"
        try #require(FileManager.default.isExecutableFile(atPath: time), "GNU time is missing: run scripts/test-setup")
        let report = NSTemporaryDirectory() + "mvpipe-rss-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try CLIRunnerWrapped.run(time, ["-f", "%M", "-o", report, CLIRunner.binary] + arguments)
        let kilobytes = Int(try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").last ?? "") ?? -1
        return (result, kilobytes / 1024)
    }

    /// Whether this build runs under AddressSanitizer or ThreadSanitizer (`swift test --sanitize=...`): then RSS
    /// measures the sanitizer (shadow memory, ASan's quarantine of freed blocks) more than mvpipe.
    static let sanitized: Bool = ["__asan_init", "__tsan_init"].contains { (name: String) in dlsym(nil, name) != nil }  // nil: RTLD_DEFAULT

    @Test func judgingAHundredThousandSendersStaysSmall() throws {
        let dir = try TemporaryDirectory("mvpipe-rss")
        // Under a sanitizer: fewer senders (it is several times slower) and no RSS limit, the rest is checked.
        let senders = Self.sanitized ? 20_000 : 100_000
        var log = ""
        log.reserveCapacity(senders * 330)
        for n in 0..<senders {
            let s = n * 86_000 / senders
            let stamp = "2026-11-29T\(String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)).000000+00:00 mx1"
            let q = String(0x1000_0000 + n, radix: 16, uppercase: true), user = "u\(n)@example.org"
            log += "\(stamp) postfix/submission/smtpd[2001]: \(q): client=mua.example.net[192.0.2.10], sasl_method=PLAIN, sasl_username=\(user)\n"
            log += "\(stamp) postfix/qmgr[1999]: \(q): from=<\(user)>, size=1234, nrcpt=1 (queue active)\n"
            log += "\(stamp) postfix/qmgr[1999]: \(q): removed\n"
        }
        try dir.write("mail.log", log)
        log = ""
        let config = try ConfigFile.write([
            "timezone": "UTC", "state": dir.file("state.sqlite"),
            "sources": [["type": "postfix-log", "paths": [dir.file("mail.log")]]], "notifiers": [["type": "console"]],
        ], to: dir.file("pipeline.json"))
        let first = try Self.peakRSS(["run", "--config", config, "--now", "2026-11-29T23:00"])
        #expect(first.status == 0)
        // The cron case: nothing new in the log, every one of today's 100 000 users judged again.
        let again = try Self.peakRSS(["run", "--config", config, "--now", "2026-11-29T23:05"])
        #expect(again.status == 0)
        // 72 MB in a debug build (182 MB before users were judged in slices).
        if !Self.sanitized {
            #expect(again.megabytes < 100, "judging 100 000 users took \(again.megabytes) MB (first run: \(first.megabytes) MB)")
        }
        #expect(try StateFile(path: dir.file("state.sqlite")).volumes().count == senders)
    }
}

/// Runs any program with the test environment and waits for it.
enum CLIRunnerWrapped {
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = CLIRunner.environment(adding: [:])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
