import Foundation
import Pipeline
import Testing

/// Servers that echo the request in their error pages (Apache, nginx and Express all do) must not carry a secret
/// URL, token or header into anything mvpipe shows or stores, neither whole nor in parts.
@Suite("secrets echoed back by a server")
struct EchoedSecretTests {
    private static let now = "2026-11-25T16:00"
    private static let day = Day("2026-11-25")!

    // The secret parts, each in a place a real service puts one.
    private static let slackTeam = "T07E4MTEAM"
    private static let slackBot = "B08BOTSECR"
    private static let slackSecret = "slackpathsecret4f9a2c"
    private static let hookToken = "hooktoken%2Bsecret77c1"  // sent percent-encoded; a server may echo it decoded
    private static let hookTokenDecoded = "hooktoken+secret77c1"
    private static let hookSignature = "sig0b5e9d3a11"
    private static let headerSecret = "hdrsecret5b2e80f1"
    private static let matrixToken = "syt_bWF0cml4_secret9d3eA1"

    /// Every secret part, and its first and last eight characters (a part of a part is still a secret).
    private static var needles: [String] {
        let parts = [slackTeam, slackBot, slackSecret, hookToken, hookTokenDecoded, hookSignature, headerSecret, matrixToken]
        return parts + parts.flatMap { [String($0.prefix(8)), String($0.suffix(8))] }
    }

    @Test func echoedURLsTokensAndHeadersAppearNowhere() throws {
        let dir = try TemporaryDirectory("mvpipe-echo")
        let serverDir = try TempDir()
        defer { serverDir.remove() }
        let http = try startHTTPServer(serverDir, args: ["--echo", "/services/=404", "--echo", "/hook/=500",
                                                         "--echo", "/_matrix/=500"])
        defer { http.stop() }
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(400, sender: "bulk@example.org", on: Self.day)
        let notifiers: [[String: Any]] = [
            ["type": "slack", "url_env": "ECHO_SLACK_URL", "max_retry_seconds": 1],
            ["type": "webhook", "url_env": "ECHO_HOOK_URL", "headers": ["Authorization": ["env": "ECHO_HOOK_AUTH"]],
             "max_retry_seconds": 1],
            ["type": "matrix", "homeserver": "http://127.0.0.1:\(http.port)", "room": "!ops:example.org",
             "token_env": "ECHO_MATRIX_TOKEN", "max_retry_seconds": 1],
        ]
        let config = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                                             notifiers: notifiers, timezone: "UTC"),
                                          to: dir.file("pipeline.json"))
        let environment = [
            "ECHO_SLACK_URL": "http://127.0.0.1:\(http.port)/services/\(Self.slackTeam)/\(Self.slackBot)/\(Self.slackSecret)",
            "ECHO_HOOK_URL": "http://127.0.0.1:\(http.port)/hook/deliver?token=\(Self.hookToken)&sig=\(Self.hookSignature)",
            "ECHO_HOOK_AUTH": "Bearer \(Self.headerSecret)",
            "ECHO_MATRIX_TOKEN": Self.matrixToken,
        ]

        let sink = SyslogSink.available ? try SyslogSink() : nil
        var arguments = ["run", "--config", config, "--now", Self.now, "--json", "--log-level", "trace",
                         "--prometheus-textfile", dir.file("mvpipe.prom")]
        if sink != nil { arguments.append("--syslog") }
        let result = try CLIRunner.run(arguments, environment: environment)
        let syslog = withExtendedLifetime(sink) { sink?.messages().joined(separator: "\n") ?? "" }

        // Every notifier failed, said where and what the server answered, and keeps the alert queued.
        #expect(result.status == 75, "stderr: \(result.stderr)")
        #expect(try appRequests(http).count >= 3, "every notifier reached the server")
        #expect(result.stderr.contains("HTTP 404: 404 Not Found Not Found The requested URL"), "the page's text is shown: \(result.stderr)")
        #expect(result.stderr.contains("HTTP 500"), "\(result.stderr)")
        #expect(!result.stderr.contains("<p>") && !result.stderr.contains("<html") && !result.stderr.contains("&amp;"),
                "markup is stripped: \(result.stderr)")
        if sink != nil { #expect(syslog.contains("notifier webhook failed"), "syslog: \(syslog)") }

        let export = try CLIRunner.run(["state", "export", "--config", config], environment: environment)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("Slack webhook http://127.0.0.1:\(http.port)/… answered HTTP 404"),
                "the failure is recorded: \(export.stdout)")
        let metrics = try String(contentsOfFile: dir.file("mvpipe.prom"), encoding: .utf8)
        var stateBytes = Data()
        for suffix in ["", "-wal", "-journal"] {
            if let data = FileManager.default.contents(atPath: dir.file("state.sqlite" + suffix)) { stateBytes.append(data) }
        }
        let state = String(decoding: stateBytes, as: UTF8.self)

        let places = ["stdout": result.stdout, "stderr": result.stderr, "syslog": syslog, "metrics": metrics,
                      "the state file": state, "state export": export.stdout + export.stderr]
        var leaks: [String] = []
        for needle in Self.needles {
            for (place, text) in places.sorted(by: { $0.key < $1.key }) where text.lowercased().contains(needle.lowercased()) {
                leaks.append("'\(needle)' in \(place)")
            }
        }
        #expect(leaks.isEmpty, "secret parts leaked: \(leaks.joined(separator: ", "))\nstderr: \(result.stderr)")
    }
}
