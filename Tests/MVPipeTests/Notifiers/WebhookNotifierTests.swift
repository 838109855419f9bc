import Foundation
@testable import Notifiers
import Pipeline
import Testing

@Suite("webhook notifier against the test server")
struct WebhookNotifierTests {
    @Test func postsTheDocumentedJSONWithConfiguredHeaders() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try "file-header-secret\n".write(toFile: dir.path("auth"), atomically: true, encoding: .utf8)
        var harness = NotifierHarness()
        harness.environment = ["HOOK_TOKEN": "env-header-secret"]
        harness.baseDirectory = dir.url.path
        let notifier = try harness.make([
            "type": "webhook", "name": "receiver", "url": "http://127.0.0.1:\(server.port)/hook/alerts?key=querysecret",
            "headers": ["X-Token": ["env": "HOOK_TOKEN"], "Authorization": ["file": "auth"], "X-Site": "ams-1"],
            "max_retry_seconds": 2,
        ])
        let users = HostileNames.all
        let batch = harness.batch(users: users)
        try notifier.deliver(batch)

        let requests = try appRequests(server)
        try #require(requests.count == 1)
        let r = requests[0]
        #expect(r["method"] as? String == "POST")
        #expect(r["path"] as? String == "/hook/alerts?key=querysecret")
        #expect(headerValues(r, "x-token") == ["env-header-secret"])
        #expect(headerValues(r, "authorization") == ["file-header-secret"])
        #expect(headerValues(r, "x-site") == ["ams-1"])
        #expect(headerValues(r, "content-type") == ["application/json; charset=utf-8"])

        let doc = try jsonBody(r)
        #expect(doc["schema_version"] as? Int == 1)
        #expect(doc["kind"] as? String == "mvpipe.alerts")
        #expect(doc["host"] as? String == "mx1.example.org")
        #expect(doc["notifier"] as? String == "receiver")
        #expect(doc["title"] as? String == AlertFormatter.subject(batch))
        #expect((doc["generated_at"] as? String)?.hasSuffix("Z") == true)
        let alerts = try #require(doc["alerts"] as? [[String: Any]])
        try #require(alerts.count == users.count)
        #expect(alerts.map { $0["user"] as? String } == users, "user names arrive exactly, JSON-escaped")
        let first = alerts[0]
        #expect(first["id"] as? Int == 1)
        #expect(first["day"] as? String == "2026-11-25")
        #expect(first["messages"] as? Int == 500)
        #expect(first["recipients"] as? Int == 700)
        #expect(first["average"] as? Double == 12.34)
        #expect(first["allowed"] as? Int == 200)
        #expect(first["sequence"] as? Int == 1)
        #expect(first["detectors"] as? [String] == ["hard-cap"])
        #expect(first["raised_at"] as? String == "2026-11-18T11:06:40Z")
        let verdicts = try #require(first["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 2)
        #expect(verdicts[0]["detector"] as? String == "hard-cap" && verdicts[0]["fired"] as? Bool == true)
        #expect(verdicts[0]["reason"] as? String == "500 > limit 200")
        #expect(verdicts[0].keys.contains("average"), "absent numbers are null, not missing")
        let history = try #require(first["history"] as? [[String: Any]])
        #expect(history.first?["day"] as? String == "2026-11-24" && history.first?["messages"] as? Int == 10)
        #expect(alerts[3]["user_display"] as? String == #"a\x0d\x0aBcc: x@evil.test"#)

        // The raw body is one JSON document: no raw CR/LF from the names.
        let raw = recordBytes(r, "body_b64")
        #expect(!raw.contains(0x0D) && !raw.contains(0x0A))

        let text = notifier.description
        for secret in ["querysecret", "/hook/alerts", "env-header-secret", "file-header-secret"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        #expect(text.contains("X-Token from $HOOK_TOKEN"))
    }

    @Test func serverErrorsAreRetriedAndClientErrorsAreNot() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/hook/flaky", responses: [["status": 500, "body": "oops"], ["status": 503, "body": "busy"]])
        try scriptResponses(server, path: "/hook/bad", responses: [["status": 400, "body": "bad payload"]])
        let harness = NotifierHarness()
        let flaky = try harness.make(["type": "webhook", "url": "http://127.0.0.1:\(server.port)/hook/flaky", "max_retry_seconds": 5])
        try flaky.deliver(harness.batch(users: ["u@example.org"]))
        #expect(try appRequests(server).count == 3)

        let bad = try harness.make(["type": "webhook", "url": "http://127.0.0.1:\(server.port)/hook/bad", "max_retry_seconds": 5])
        let error = expectNotifierError { try bad.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("HTTP 400") == true)
        #expect(error?.message.contains("bad payload") == true)
        #expect(try appRequests(server).count == 4)
    }

    @Test func connectionRefusedIsTransientAndRedacted() throws {
        let port = try closedPort()
        var harness = NotifierHarness()
        harness.environment = ["HOOK_URL": "http://127.0.0.1:\(port)/hook/tokenpath"]
        let notifier = try harness.make(["type": "webhook", "url_env": "HOOK_URL", "max_retry_seconds": 0.5])
        let error = expectNotifierError { try notifier.deliver(harness.batch(users: ["u@example.org"])) }
        #expect(error?.isTransient == true)
        #expect(error?.message.contains("tokenpath") == false)
        #expect(!harness.logs.text.contains("tokenpath"))
        // Backoff 0.25–0.5 s fits in the 0.5 s budget; the next (0.5–1 s) does not.
        #expect(harness.clock.waits.count == 1, "waits: \(harness.clock.waits)")
    }

    @Test func headerOptionsAreValidated() throws {
        var harness = NotifierHarness()
        harness.environment = ["BROKEN": "a\r\nX-Injected: 1"]
        let url = "https://alerts.example.org/hook"
        let cases: [([String: Any], String)] = [
            (["type": "webhook", "url": url, "headers": ["X-Token": ["env": "UNSET"]]], "$.notifiers[0].headers.X-Token.env"),
            (["type": "webhook", "url": url, "headers": ["X-Token": ["file": "/nonexistent/x"]]], "$.notifiers[0].headers.X-Token.file"),
            (["type": "webhook", "url": url, "headers": ["X-Token": ["env": "BROKEN"]]], "$.notifiers[0].headers.X-Token.env"),
            (["type": "webhook", "url": url, "headers": ["X-A": "x\r\nX-Injected: 1"]], "$.notifiers[0].headers.X-A"),
            (["type": "webhook", "url": url, "headers": ["Bad Name": "x"]], "$.notifiers[0].headers.Bad Name"),
            (["type": "webhook", "url": url, "headers": ["X-A": ["env": "A", "file": "B"]]], "$.notifiers[0].headers.X-A"),
            (["type": "webhook", "url": "http://alerts.example.org/hook", "headers": ["X-Token": ["env": "BROKEN2"]]], "$.notifiers[0].headers.X-Token.env"),
            (["type": "webhook"], "$.notifiers[0].url"),
            (["type": "webhook", "url": "ftp://example.org/x"], "$.notifiers[0].url"),
        ]
        for (entry, path) in cases {
            let error = harness.configError(entry)
            #expect(error?.path == path, "\(entry) gave \(String(describing: error))")
            #expect(error?.message.contains("X-Injected") != true)
        }
        harness.environment["TOK"] = "t"
        let clear = harness.configError(["type": "webhook", "url": "http://alerts.example.org/hook", "headers": ["X-Token": ["env": "TOK"]]])
        #expect(clear?.path == "$.notifiers[0].url", "no secret header over clear-text http to another host")
        #expect(harness.configError(["type": "webhook", "url": "http://alerts.example.org/hook", "headers": ["X-Site": "a"]]) == nil)
    }
}
