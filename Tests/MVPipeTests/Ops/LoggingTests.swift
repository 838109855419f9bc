import Foundation
import Pipeline
import Testing

/// Diagnostics: stderr at every level, syslog on request, and never a secret in either.
@Suite("logging: stderr, syslog, no secrets", .serialized)
struct LoggingTests {
    private static let now = "2026-11-25T16:00"
    private static let day = Day("2026-11-25")!
    private static let secret = "s3cr3t-hook-token-9f1c"
    private static let headerSecret = "hdr-secret-77ab"

    /// An archive with one user over the hard cap, and a webhook whose URL (the secret) points at a closed port.
    private func setUp(_ dir: TemporaryDirectory, port: Int) throws -> (config: String, environment: [String: String]) {
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(400, sender: "bulk@example.org", on: Self.day)
        let notifiers: [[String: Any]] = [
            ["type": "webhook", "url_env": "MVPIPE_TEST_HOOK_URL", "headers": ["Authorization": ["env": "MVPIPE_TEST_HOOK_AUTH"]],
             "timeout": 2, "max_retry_seconds": 0.3],
        ]
        let config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), notifiers: notifiers)
        return (try ConfigFile.write(config, to: dir.file("pipeline.json")),
                ["MVPIPE_TEST_HOOK_URL": "http://127.0.0.1:\(port)/hooks/\(Self.secret)",
                 "MVPIPE_TEST_HOOK_AUTH": "Bearer \(Self.headerSecret)"])
    }

    @Test func traceLoggingNeverShowsASecret() throws {
        let dir = try TemporaryDirectory("mvpipe-logging")
        let (config, environment) = try setUp(dir, port: try closedPort())
        let sink = SyslogSink.available ? try SyslogSink() : nil
        var arguments = ["run", "--config", config, "--now", Self.now, "--log-level", "trace",
                         "--prometheus-textfile", dir.file("mvpipe.prom")]
        if sink != nil { arguments.append("--syslog") }
        let result = try CLIRunner.run(arguments, environment: environment)

        // The delivery failed, was logged at length, and the alert stays queued.
        #expect(result.status == 75, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("notifier webhook failed"))
        #expect(result.stderr.contains("127.0.0.1"), "the error should say where it tried (without the secret path)")
        #expect(result.stderr.contains(" debug mvpipe: [Pipeline] notifier webhook: delivering 1 alert(s)"), "expected debug diagnostics: \(result.stderr)")

        let metrics = try String(contentsOfFile: dir.file("mvpipe.prom"), encoding: .utf8)
        let syslog = sink?.messages().joined(separator: "\n") ?? ""
        if sink != nil { #expect(syslog.contains("notifier webhook failed")) }
        for secret in [Self.secret, Self.headerSecret] {
            #expect(!result.stdout.contains(secret), "\(secret) on stdout")
            #expect(!result.stderr.contains(secret), "\(secret) on stderr")
            #expect(!metrics.contains(secret), "\(secret) in the metrics")
            #expect(!syslog.contains(secret), "\(secret) in syslog")
        }
        // `check` at trace level describes the notifier without its secret either.
        let check = try CLIRunner.run(["check", "--config", config, "--log-level", "trace"], environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(!(check.stdout + check.stderr).contains(Self.secret))
        #expect(!(check.stdout + check.stderr).contains(Self.headerSecret))
    }

    @Test func logLevelFiltersStderr() throws {
        let dir = try TemporaryDirectory("mvpipe-logging")
        let config = ConfigFile.archive(root: dir.file("missing-archive"), state: dir.file("state.sqlite"))
        let path = try ConfigFile.write(config, to: dir.file("pipeline.json"))
        let quiet = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--log-level", "critical"])
        #expect(quiet.status == 66)
        #expect(!quiet.stderr.contains("error"), "an error logged at --log-level critical: \(quiet.stderr)")
        let loud = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--log-level", "info"])
        #expect(loud.status == 66)
        #expect(loud.stderr.contains("error") && loud.stderr.contains("source assp-archive"), "\(loud.stderr)")
        let bad = try CLIRunner.run(["run", "--config", path, "--log-level", "chatty"])
        #expect(bad.status == 64)
    }

    @Test(.enabled(if: SyslogSink.available, "/dev/log is taken by a syslog daemon (or /dev is read-only): syslog output is not captured"))
    func syslogGetsOneLinePerMessageWithMailFacility() throws {
        let sink = try SyslogSink()
        let dir = try TemporaryDirectory("mvpipe-logging")
        // A missing archive whose path has a newline: the error names it, and the newline must not split the line.
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(3, sender: "ok@example.org", on: Self.day)
        let config = ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                        extra: ["sources": [["type": "assp-archive", "path": dir.file("archive")],
                                                            ["type": "assp-archive", "name": "second", "path": dir.file("no\nwhere")]]])
        let path = try ConfigFile.write(config, to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["run", "--config", path, "--now", Self.now, "--syslog", "--log-level", "info"])
        #expect(result.status == 66, "\(result.stderr)")
        let messages = sink.messages()
        let ours = messages.filter { $0.contains("mvpipe[") }
        #expect(!ours.isEmpty, "nothing reached syslog: \(messages)")
        for message in ours {
            // <PRI>: facility mail (2) × 8 + severity (0…7).
            let pri = message.dropFirst().prefix { $0 != ">" }
            let value = Int(pri) ?? -1
            #expect(value / 8 == 2, "not facility mail: \(message)")
            #expect(!message.contains("\n"), "a message spans lines: \(message)")
        }
        // The same diagnostics still go to stderr (cron mails them).
        #expect(!result.stderr.isEmpty)
        let errors = ours.filter { (Int($0.dropFirst().prefix { $0 != ">" }) ?? 0) % 8 == 3 }
        #expect(!errors.isEmpty, "an error should be logged at LOG_ERR: \(ours)")
        #expect(errors.contains { $0.contains("no\\nwhere") }, "the newline should arrive escaped: \(errors)")
    }
}
