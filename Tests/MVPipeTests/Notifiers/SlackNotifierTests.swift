import Foundation
@testable import Notifiers
import Pipeline
import Testing

@Suite("slack notifier against the test server")
struct SlackNotifierTests {
    private func slack(_ server: ServerProcess, path: String, harness: inout NotifierHarness,
                       extra: [String: Any] = [:]) throws -> any Notifier {
        harness.environment["SLACK_URL"] = "http://127.0.0.1:\(server.port)\(path)"
        var entry: [String: Any] = ["type": "slack", "url_env": "SLACK_URL", "timeout": 120, "max_retry_seconds": 5]
        entry.merge(extra) { _, new in new }
        return try harness.make(entry)
    }

    @Test func postsEscapedTextThatPingsNobody() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/ok", harness: &harness)
        let batch = harness.batch(users: HostileNames.all + ["a&b@example.org"])
        try notifier.deliver(batch)

        let requests = try appRequests(server)
        try #require(requests.count == 1)
        #expect(requests[0]["method"] as? String == "POST")
        #expect(headerValues(requests[0], "content-type") == ["application/json; charset=utf-8"])
        let json = try jsonBody(requests[0])
        let text = try #require(json["text"] as? String)
        #expect(!text.contains("<"), "no raw '<': nothing Slack could read as a mention or link")
        #expect(!text.contains(">"))
        #expect(text.contains("&lt;!channel&gt;"))
        #expect(text.contains("&lt;@U123&gt;"))
        #expect(text.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(text.contains("a&amp;b@example.org"))
        #expect(text.contains(#"a\x0d\x0aBcc: x@evil.test"#))
        #expect(!text.contains("\r"))
        #expect(text.contains("$(reboot)"))
        #expect(!text.contains("&lt;!here&gt;"), "the 10 kB name is cut before its end")
        #expect(text.contains("500 messages on 2026-11-25"))
        #expect(text.hasPrefix(TextEscaping.slack(AlertFormatter.subject(batch))))
        #expect(json["unfurl_links"] as? Bool == false)
    }

    @Test func rateLimitHonoursRetryAfter() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/ratelimit-once", harness: &harness)
        try notifier.deliver(harness.batch(users: ["u@example.org"]))
        let requests = try appRequests(server)
        #expect(requests.count == 2)
        #expect(harness.clock.waits == [1], "waited for Retry-After: 1, and only that")
        #expect(Set(requests.map { recordBytes($0, "body_b64") }).count == 1, "the retry sends the same message")
    }

    @Test func retryAfterBeyondTheBudgetLeavesTheAlertQueued() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/slack/busy", responses: [["status": 429, "headers": ["Retry-After": "120"], "body": "rate_limited"]])
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/busy", harness: &harness, extra: ["max_retry_seconds": 2])
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("120") == true)
        #expect(harness.clock.waits.isEmpty, "gave up at once rather than wait past the budget")
        #expect(try appRequests(server).count == 1)
    }

    @Test func serverErrorThenSuccessIsRetried() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/error-once", harness: &harness)
        try notifier.deliver(harness.batch(users: ["u@example.org"]))
        #expect(try appRequests(server).count == 2)
        #expect(harness.logs.text.contains("HTTP 500"))
    }

    @Test func persistentServerErrorsGiveUpWithinTheBudget() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/slack/T01/B02/hunter2secretpart",
                            responses: Array(repeating: ["status": 503, "body": "down"], count: 50))
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/T01/B02/hunter2secretpart", harness: &harness,
                                 extra: ["max_retry_seconds": 1.5])
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == true)
        // Backoff 0.25–0.5 s, then 0.5–1 s: a third wait of at least 1 s no longer fits in the 1.5 s budget.
        let waits = harness.clock.waits
        #expect(waits.count == 2 && (0.25...0.5).contains(waits[0]) && (0.5...1).contains(waits[1]), "waits: \(waits)")
        #expect(try appRequests(server).count == 3, "one attempt, then one after each wait")
        #expect(error?.message.contains("hunter2secretpart") == false, "the webhook URL is the secret")
        #expect(!harness.logs.text.contains("hunter2secretpart"))
        #expect(!notifier.description.contains("hunter2secretpart"))
        #expect(notifier.description.contains("$SLACK_URL"))
    }

    @Test(arguments: [404, 410])
    func revokedWebhookIsPermanent(status: Int) throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/slack/gone", responses: [["status": status, "body": "no_service"]])
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/gone", harness: &harness)
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("no_service") == true)
        #expect(error?.message.contains("revoked") == true)
        #expect(try appRequests(server).count == 1)
    }

    @Test func builtInNotFoundRouteIsPermanent() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try slack(server, path: "/slack/notfound", harness: &harness)
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(try appRequests(server).count == 1)
    }

    @Test func urlIsASecretFromEnvOrFileOnly() throws {
        let dir = try TempDir(); defer { dir.remove() }
        try "https://hooks.slack.com/services/T/B/filesecret\n".write(toFile: dir.path("url"), atomically: true, encoding: .utf8)
        var harness = NotifierHarness()
        harness.baseDirectory = dir.url.path
        harness.environment = ["PLAIN_HTTP": "http://hooks.slack.com/services/T/B/envsecret"]
        let fromFile = try harness.make(["type": "slack", "url_file": "url"])
        #expect(fromFile.description.contains("https://hooks.slack.com/…"))
        #expect(!fromFile.description.contains("filesecret"))

        let inline = harness.configError(["type": "slack", "url": "https://hooks.slack.com/services/T/B/x"])
        #expect(inline?.path == "$.notifiers[0].url")
        #expect(harness.configError(["type": "slack"])?.path == "$.notifiers[0].url_env")
        let missing = harness.configError(["type": "slack", "url_env": "NOPE"])
        #expect(missing?.path == "$.notifiers[0].url_env")
        let clear = harness.configError(["type": "slack", "url_env": "PLAIN_HTTP"])
        #expect(clear?.path == "$.notifiers[0].url_env")
        #expect(clear?.message.contains("envsecret") == false)
        let both = harness.configError(["type": "slack", "url_env": "PLAIN_HTTP", "url_file": "url"])
        #expect(both?.message.contains("only one") == true)
    }
}
