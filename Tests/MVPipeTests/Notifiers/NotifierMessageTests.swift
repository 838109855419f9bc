import Foundation
import Pipeline
import Testing

/// Delivery messages name the notifier entry once, the way the rest of mvpipe does ("notifier NAME …"), whether
/// its name is its type (the default) or its own.
@Suite("notifier messages")
struct NotifierMessageTests {
    @Test func failuresAndRetriesNameTheEntryOnce() throws {
        let dir = try TemporaryDirectory("mvpipe-notifier-messages")
        let serverDir = try TempDir()
        defer { serverDir.remove() }
        let http = try startHTTPServer(serverDir)
        defer { http.stop() }
        try scriptResponses(http, path: "/hook/flaky", responses: [["status": 503, "headers": ["Retry-After": "0"], "body": "busy"]])
        let down = try closedPort()
        let archive = try ArchiveBuilder(root: dir.file("archive"))
        try archive.add(400, sender: "bulk@example.org", on: Day("2026-11-25")!)
        let notifiers: [[String: Any]] = [
            ["type": "matrix", "homeserver": "http://127.0.0.1:\(down)", "room": "!ops:example.org",
             "token_env": "MSG_MATRIX_TOKEN", "max_retry_seconds": 0],
            ["type": "webhook", "name": "ops-hook", "url": "http://127.0.0.1:\(http.port)/hook/flaky", "max_retry_seconds": 5],
            ["type": "slack", "url_env": "MSG_SLACK_URL", "max_retry_seconds": 0],
        ]
        let config = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"),
                                                             notifiers: notifiers, timezone: "UTC"),
                                          to: dir.file("pipeline.json"))
        let environment = ["MSG_MATRIX_TOKEN": "TOKEN", "MSG_SLACK_URL": "http://127.0.0.1:\(http.port)/slack/notfound"]
        let result = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T16:00", "--log-level", "notice"],
                                       environment: environment)
        #expect(result.status == 75, "stderr: \(result.stderr)")
        let expected = [
            "notifier matrix failed, 1 alert(s) stay queued for the next run: cannot deliver to Matrix homeserver http://127.0.0.1:\(down): curl error 7",
            "notifier ops-hook: attempt 1 failed: webhook http://127.0.0.1:\(http.port)/… answered HTTP 503: busy; retrying in 0.0 s",
            "notifier ops-hook: delivered on attempt 2",
            "notifier slack failed, 1 alert(s) stay queued for the next run: Slack webhook http://127.0.0.1:\(http.port)/… answered HTTP 404: no_service; the webhook was revoked",
        ]
        for line in expected {
            #expect(result.stderr.contains(line), "missing '\(line)' in: \(result.stderr)")
        }
        for repeated in ["matrix matrix", "slack slack", "webhook ops-hook", "ops-hook ops-hook"] {
            #expect(!result.stderr.contains(repeated), "'\(repeated)' in: \(result.stderr)")
        }
        let export = try CLIRunner.run(["state", "export", "--config", config], environment: environment)
        #expect(export.stdout.contains("\"last_error\":\"Slack webhook http://127.0.0.1:\(http.port)/… answered HTTP 404"),
                "the stored error starts with what happened: \(export.stdout)")
    }
}
