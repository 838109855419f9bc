import Foundation
import Testing

/// `mvpipe test-notify`: a clearly marked test alert through every notifier (or one), each result reported, the
/// state untouched.
@Suite("notifiers: test-notify")
struct TestNotifyTests {
    @Test func aTestAlertReachesEveryNotifierAndNothingIsStored() throws {
        let temp = try TemporaryDirectory("mvpipe-testnotify")
        let dir = try TempDir()
        let http = try startHTTPServer(dir)
        let smtp = try startSMTPServer(dir)
        defer { http.stop(); smtp.stop(); dir.remove() }
        let environment = ["TN_SLACK_URL": "http://127.0.0.1:\(http.port)/slack/T0/B0/tn-slack-secret"]
        let config = try ConfigFile.write(ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"), notifiers: [
            ["type": "smtp", "url": "smtp://127.0.0.1:\(smtp.port)", "from": "relay@example.org", "to": ["admin@example.org"],
             "max_retry_seconds": 0.5],
            ["type": "slack", "url_env": "TN_SLACK_URL", "max_retry_seconds": 0.5],
            ["type": "webhook", "name": "hook", "url": "http://127.0.0.1:\(http.port)/hook/mvpipe", "max_retry_seconds": 0.5],
        ], extra: ["host": "mx1.example.org"]), to: temp.file("pipeline.json"))

        let result = try CLIRunner.run(["test-notify", "--config", config], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        for name in ["smtp", "slack", "hook"] {
            #expect(result.stdout.contains("notifier [\(name)]: test alert delivered"), "\(result.stdout)")
        }
        #expect(result.stdout.contains("nothing was stored"))
        #expect(!result.stdout.contains("tn-slack-secret") && !result.stderr.contains("tn-slack-secret"))

        let mail = try smtp.records()
        try #require(mail.count == 1)
        let data = mail[0]["data"] as? String ?? ""
        #expect(data.contains("[TEST]") && data.contains("TEST ALERT sent by `mvpipe test-notify`"), "\(data)")
        let slack = try appRequests(http).filter { ($0["path"] as? String ?? "").hasPrefix("/slack/") }
        try #require(slack.count == 1)
        #expect((try jsonBody(slack[0])["text"] as? String)?.contains("TEST ALERT") == true)
        let hook = try appRequests(http).filter { ($0["path"] as? String ?? "").hasPrefix("/hook/") }
        try #require(hook.count == 1)
        let alerts = try jsonBody(hook[0])["alerts"] as? [[String: Any]]
        #expect(alerts?.first?["user"] as? String == "mvpipe-test-alert@example.invalid")
        #expect(!FileManager.default.fileExists(atPath: temp.file("state.sqlite")), "no state created")

        // One notifier only; an unknown one is a usage error naming the ones there are.
        let one = try CLIRunner.run(["test-notify", "--config", config, "--notifier", "hook"], environment: environment)
        #expect(one.status == 0)
        #expect(one.lines.filter { $0.hasPrefix("notifier [") }.count == 1)
        #expect(try appRequests(http).filter { ($0["path"] as? String ?? "").hasPrefix("/hook/") }.count == 2)
        #expect(try smtp.records().count == 1)
        let unknown = try CLIRunner.run(["test-notify", "--config", config, "--notifier", "pager"], environment: environment)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("it has: smtp, slack, hook"), "\(unknown.stderr)")
    }

    @Test func aFailingNotifierIsReportedAndTheOthersStillGetIt() throws {
        let temp = try TemporaryDirectory("mvpipe-testnotify")
        let dir = try TempDir()
        let http = try startHTTPServer(dir)
        defer { http.stop(); dir.remove() }
        let down = try closedPort()
        let config = try ConfigFile.write(ConfigFile.archive(root: temp.file("archive"), state: temp.file("state.sqlite"), notifiers: [
            ["type": "smtp", "url": "smtp://127.0.0.1:\(down)", "from": "relay@example.org", "to": ["admin@example.org"],
             "max_retry_seconds": 0.5],
            ["type": "webhook", "url": "http://127.0.0.1:\(http.port)/hook/mvpipe", "max_retry_seconds": 0.5],
        ]), to: temp.file("pipeline.json"))
        let result = try CLIRunner.run(["test-notify", "--config", config])
        #expect(result.status == 75, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("notifier [smtp]: FAILED: "), "\(result.stdout)")
        #expect(result.stdout.contains("notifier [webhook]: test alert delivered"), "\(result.stdout)")
        #expect(result.stdout.contains("1 of 2 notifier(s) failed"))
        #expect(!FileManager.default.fileExists(atPath: temp.file("state.sqlite")))
    }
}
