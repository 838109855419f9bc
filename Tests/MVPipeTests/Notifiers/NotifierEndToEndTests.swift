import Foundation
import Pipeline
import Testing

/// `mvpipe run` with every libcurl notifier configured against local test servers.
@Suite("notifiers end to end through mvpipe run")
struct NotifierEndToEndTests {
    private static let now = "2026-11-25T16:00"
    private static let day = Day("2026-11-25")!

    /// Servers, secrets and config for one scenario.
    private struct Setup {
        let temp: TemporaryDirectory
        let dir: TempDir
        let http: ServerProcess
        var smtp: ServerProcess?
        let smtpPort: Int
        let tls: TLSFiles
        let environment: [String: String]

        init(smtpDown: Bool = false) throws {
            temp = try TemporaryDirectory("mvpipe-e2e")
            dir = try TempDir()
            tls = try TLSFiles.get()
            http = try startHTTPServer(dir)
            if smtpDown {
                smtpPort = try closedPort()
                smtp = nil
            } else {
                let server = try startSMTPServer(dir, args: Setup.smtpArgs(tls))
                smtpPort = server.port
                smtp = server
            }
            environment = [
                "E2E_SMTP_PASSWORD": "smtp-e2e-secret",
                "E2E_SLACK_URL": "http://127.0.0.1:\(http.port)/slack/T0/B0/slack-e2e-secret",
                "E2E_MATRIX_TOKEN": "TOKEN",
                "E2E_HOOK_TOKEN": "hook-e2e-secret",
            ]
        }

        static func smtpArgs(_ tls: TLSFiles) -> [String] {
            ["--cert", tls.certFile, "--key", tls.keyFile, "--user", "alerts", "--password", "smtp-e2e-secret"]
        }

        /// Starts the SMTP server on the port that was down.
        mutating func bringSMTPUp() throws {
            smtp = try startSMTPServer(dir, args: Setup.smtpArgs(tls), port: smtpPort, name: "smtp-late")
        }

        func writeConfig(users: [String]) throws -> String {
            let archive = try ArchiveBuilder(root: temp.file("archive"))
            for user in users { try archive.add(500, sender: user, on: NotifierEndToEndTests.day) }
            let notifiers: [[String: Any]] = [
                ["type": "smtp", "url": "smtp://127.0.0.1:\(smtpPort)", "starttls": "required", "username": "alerts",
                 "password_env": "E2E_SMTP_PASSWORD", "from": "relay@example.org", "to": ["admin@example.org"],
                 "ca_file": tls.caFile, "timeout": 120, "max_retry_seconds": 0.5],
                ["type": "slack", "url_env": "E2E_SLACK_URL", "max_retry_seconds": 0.5],
                ["type": "matrix", "homeserver": "http://127.0.0.1:\(http.port)", "room": "!ops:example.org",
                 "token_env": "E2E_MATRIX_TOKEN", "max_retry_seconds": 0.5],
                ["type": "webhook", "url": "http://127.0.0.1:\(http.port)/hook/mvpipe",
                 "headers": ["X-Token": ["env": "E2E_HOOK_TOKEN"]], "max_retry_seconds": 0.5],
            ]
            let config = ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"),
                                            notifiers: notifiers, extra: ["host": "mx1.example.org"])
            return try ConfigFile.write(config, to: temp.file("pipeline.json"))
        }

        func run(_ config: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["run", "--config", config, "--now", NotifierEndToEndTests.now, "--json"], environment: environment)
        }

        func requests(_ prefix: String) throws -> [[String: Any]] {
            try appRequests(http).filter { ($0["path"] as? String ?? "").hasPrefix(prefix) }
        }

        func smtpMessages() throws -> [[String: Any]] { try smtp?.records() ?? [] }

        func stop() {
            http.stop()
            smtp?.stop()
            dir.remove()
        }
    }

    private func expectNoSecrets(_ result: CLIRunner.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in ["smtp-e2e-secret", "slack-e2e-secret", "hook-e2e-secret"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(secret) leaked", sourceLocation: sourceLocation)
        }
    }

    @Test func anAlertReachesEveryNotifier() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let config = try setup.writeConfig(users: ["bulk@example.org"])
        let result = try setup.run(config)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.count == 1)
        #expect(result.stdout.contains("\"user\":\"bulk@example.org\""))
        expectNoSecrets(result)

        let mail = try setup.smtpMessages()
        try #require(mail.count == 1)
        #expect(mail[0]["tls"] as? Bool == true && mail[0]["auth_user"] as? String == "alerts")
        #expect((mail[0]["data"] as? String)?.contains("bulk@example.org: 500 messages on 2026-11-25") == true)
        let slack = try setup.requests("/slack/")
        try #require(slack.count == 1)
        #expect((try jsonBody(slack[0])["text"] as? String)?.contains("bulk@example.org: 500 messages") == true)
        let matrix = try setup.requests("/_matrix/")
        try #require(matrix.count == 1)
        #expect((try jsonBody(matrix[0])["body"] as? String)?.contains("bulk@example.org: 500 messages") == true)
        let hook = try setup.requests("/hook/")
        try #require(hook.count == 1)
        #expect(headerValues(hook[0], "x-token") == ["hook-e2e-secret"])
        let alerts = try jsonBody(hook[0])["alerts"] as? [[String: Any]]
        #expect(alerts?.first?["user"] as? String == "bulk@example.org")
        #expect(alerts?.first?["messages"] as? Int == 500)

        // `check` describes every notifier without a secret.
        let check = try CLIRunner.run(["check", "--config", config], environment: setup.environment)
        #expect(check.status == 0, "stderr: \(check.stderr)")
        #expect(check.stdout.contains("slack: incoming webhook from $E2E_SLACK_URL (http://127.0.0.1:\(setup.http.port)/…)"))
        #expect(check.stdout.contains("password from $E2E_SMTP_PASSWORD"))
        #expect(check.stdout.contains("X-Token from $E2E_HOOK_TOKEN"))
        expectNoSecrets(check)

        // A second run the same day delivers nothing again.
        let again = try setup.run(config)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(try appRequests(setup.http).count == 3)
        #expect(try setup.smtpMessages().count == 1)
    }

    @Test func aNotifierThatIsDownGetsTheAlertOnTheNextRunExactlyOnce() throws {
        var setup = try Setup(smtpDown: true)
        defer { setup.stop() }
        let config = try setup.writeConfig(users: ["bulk@example.org"])

        let first = try setup.run(config)
        #expect(first.status == 75, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("not delivered by smtp"), "stderr: \(first.stderr)")
        expectNoSecrets(first)
        #expect(try setup.requests("/slack/").count == 1)
        #expect(try setup.requests("/_matrix/").count == 1)
        #expect(try setup.requests("/hook/").count == 1)

        try setup.bringSMTPUp()
        let second = try setup.run(config)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        expectNoSecrets(second)
        let mail = try setup.smtpMessages()
        #expect(mail.count == 1, "the queued alert went out once")
        #expect((mail.first?["data"] as? String)?.contains("bulk@example.org: 500 messages") == true)
        #expect(try setup.requests("/slack/").count == 1, "no duplicates for the notifiers that had it")
        #expect(try setup.requests("/_matrix/").count == 1)
        #expect(try setup.requests("/hook/").count == 1)

        let third = try setup.run(config)
        #expect(third.status == 0)
        #expect(try setup.smtpMessages().count == 1)
        #expect(try appRequests(setup.http).count == 3)
    }

    @Test func hostileUserNamesArriveEscapedEverywhere() throws {
        let setup = try Setup()
        defer { setup.stop() }
        // Folder names cannot hold "/", so the HTML probe is an unclosed tag here (`<b>x</b>` is covered by the unit tests).
        let users = ["<!channel>", "<img src=x onerror=alert(1)>", "a\r\nbcc: x@evil.test", "$(reboot)"]
        let config = try setup.writeConfig(users: users)
        let result = try setup.run(config)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines.count == users.count)

        let slackRequest = try #require(try setup.requests("/slack/").first)
        let slackText = try #require(try jsonBody(slackRequest)["text"] as? String)
        #expect(slackText.contains("&lt;!channel&gt;"))
        #expect(slackText.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!slackText.contains("<"))
        #expect(slackText.contains(#"a\x0d\x0abcc: x@evil.test"#))
        #expect(slackText.contains("$(reboot)"))

        let matrixRequest = try #require(try setup.requests("/_matrix/").first)
        let content = try jsonBody(matrixRequest)
        let html = try #require(content["formatted_body"] as? String)
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img"))
        #expect(html.contains("&lt;!channel&gt;"))
        #expect((content["m.mentions"] as? [String: Any])?.isEmpty == true)

        let mail = try #require(try setup.smtpMessages().first)
        #expect(mail["rcpt_tos"] as? [String] == ["admin@example.org"])
        let data = try #require(mail["data"] as? String)
        let headerBlock = data.components(separatedBy: "\r\n\r\n")[0].lowercased()
        #expect(!headerBlock.contains("bcc"))
        #expect(!headerBlock.contains("reboot") && !headerBlock.contains("channel"))
        #expect(data.contains(#"a\x0d\x0abcc: x@evil.test"#))
        #expect(!data.contains("\nbcc:"))

        let hookRequest = try #require(try setup.requests("/hook/").first)
        let hook = try jsonBody(hookRequest)
        let hookUsers = (hook["alerts"] as? [[String: Any]])?.compactMap { $0["user"] as? String } ?? []
        #expect(Set(hookUsers) == Set(users))
    }
}
