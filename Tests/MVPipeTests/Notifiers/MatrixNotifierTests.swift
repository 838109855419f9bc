import Foundation
@testable import Notifiers
import Pipeline
import Testing

@Suite("matrix notifier against the test server")
struct MatrixNotifierTests {
    private func matrix(_ server: ServerProcess, room: String = "!abc:example.org", token: String = "TOKEN",
                        harness: inout NotifierHarness, extra: [String: Any] = [:]) throws -> any Notifier {
        harness.environment["MATRIX_TOKEN"] = token
        var entry: [String: Any] = ["type": "matrix", "homeserver": "http://127.0.0.1:\(server.port)", "room": room,
                                    "token_env": "MATRIX_TOKEN", "timeout": 120, "max_retry_seconds": 5]
        entry.merge(extra) { _, new in new }
        return try harness.make(entry)
    }

    private let sendPrefix = "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/"

    @Test func putsAnEscapedMessageWithBearerTokenAndEncodedRoom() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try matrix(server, harness: &harness)
        let batch = harness.batch(users: HostileNames.all + ["o'neil\"@example.org"])
        try notifier.deliver(batch)

        let requests = try appRequests(server)
        try #require(requests.count == 1)
        let r = requests[0]
        #expect(r["method"] as? String == "PUT")
        let path = try #require(r["path"] as? String)
        #expect(path.hasPrefix(sendPrefix), "\(path)")
        #expect(path.dropFirst(sendPrefix.count).range(of: #"^mvpipe-[0-9a-f]{40}$"#, options: .regularExpression) != nil)
        #expect(headerValues(r, "authorization") == ["Bearer TOKEN"])
        let json = try jsonBody(r)
        #expect(json["msgtype"] as? String == "m.text")
        #expect(json["format"] as? String == "org.matrix.custom.html")
        #expect((json["m.mentions"] as? [String: Any])?.isEmpty == true)
        let body = try #require(json["body"] as? String)
        #expect(body.contains("<!channel>: 500 messages"), "the plain body carries the names as text")
        #expect(body.contains(#"a\x0d\x0aBcc: x@evil.test"#))
        let html = try #require(json["formatted_body"] as? String)
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;!channel&gt;"))
        #expect(html.contains("o&#39;neil&quot;@example.org"))
        #expect(!html.contains("\r"))
        let tags = html.matches(of: /<\/?([a-z]+)>/).map { String($0.1) }
        #expect(Set(tags) == ["p", "strong", "pre", "code"], "only our own markup: \(Set(tags))")
    }

    @Test func transactionIDIsStableAcrossRetriesAndRuns() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "\(sendPrefix)*", responses: [["status": 502, "body": "bad gateway"]])
        var harness = NotifierHarness()
        let notifier = try matrix(server, harness: &harness, extra: ["name": "ops-room"])
        let batch = harness.batch(users: ["u@example.org", "v@example.org"])
        try notifier.deliver(batch) // 502, then retried
        try notifier.deliver(batch) // a later run with the same alerts
        let reordered = AlertBatch(host: batch.host, alerts: batch.alerts.reversed(), calendar: batch.calendar)
        try notifier.deliver(reordered)
        let paths = try appRequests(server).compactMap { $0["path"] as? String }
        #expect(paths.count == 4)
        #expect(Set(paths).count == 1, "every attempt uses one transaction id: \(paths)")

        // Another entry, or other alerts, get another id.
        let other = try matrix(server, harness: &harness, extra: ["name": "second-room"])
        try other.deliver(batch)
        try notifier.deliver(harness.batch(users: ["u@example.org"], firstID: 7))
        let all = try appRequests(server).compactMap { $0["path"] as? String }
        #expect(Set(all).count == 3)
    }

    @Test func rateLimitHonoursRetryAfterMs() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try matrix(server, room: "!ratelimit-once:example.org", harness: &harness)
        try notifier.deliver(harness.batch(users: ["u@example.org"]))
        let requests = try appRequests(server)
        #expect(requests.count == 2)
        #expect(Set(requests.compactMap { $0["path"] as? String }).count == 1)
        #expect(harness.clock.waits == [0.5], "waited retry_after_ms 500, and only that")
        #expect(harness.logs.text.contains("M_LIMIT_EXCEEDED"))
    }

    @Test func rejectedTokenIsPermanentAndNeverShown() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        var harness = NotifierHarness()
        let notifier = try matrix(server, token: "syt_wrong_secret_token", harness: &harness)
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("M_UNKNOWN_TOKEN") == true)
        #expect(error?.message.contains("syt_wrong_secret_token") == false)
        #expect(!notifier.description.contains("syt_wrong_secret_token"))
        #expect(!harness.logs.text.contains("syt_wrong_secret_token"))
        #expect(harness.clock.waits.isEmpty, "a permanent failure is not retried")
        #expect(try appRequests(server).count == 1)
    }

    @Test func optionsAreValidated() throws {
        var harness = NotifierHarness()
        harness.environment = ["T": "tok"]
        let base: [String: Any] = ["type": "matrix", "homeserver": "https://matrix.example.org", "room": "!abc:example.org", "token_env": "T"]
        #expect(harness.configError(base) == nil)
        #expect(harness.configError(base.merging(["room": "#ops:example.org"]) { $1 })?.path == "$.notifiers[0].room")
        #expect(harness.configError(base.merging(["homeserver": "http://matrix.example.org"]) { $1 })?.path == "$.notifiers[0].homeserver")
        #expect(harness.configError(base.merging(["token_env": "UNSET"]) { $1 })?.path == "$.notifiers[0].token_env")
        var noToken = base
        noToken["token_env"] = nil
        #expect(harness.configError(noToken)?.path == "$.notifiers[0].token_env")
        #expect(harness.configError(noToken.merging(["token": "inline"]) { $1 })?.path == "$.notifiers[0].token")
        #expect(harness.configError(base.merging(["token_file": "/nonexistent"]) { $1 })?.message.contains("only one") == true)
    }
}
