import Foundation
import Testing

/// A notifier added to the config after the day's alerts were raised gets them on its first run, once; the
/// notifiers that had them get nothing again.
@Suite("notifiers: one added later gets the day's open alerts")
struct NotifierAddedLaterTests {
    @Test func aNotifierAddedAfterAnAlertReceivesItOnTheNextRun() throws {
        let dir = try TempDir()
        let http = try startHTTPServer(dir)
        defer { http.stop(); dir.remove() }
        func hook(_ name: String) -> [String: Any] {
            ["type": "webhook", "name": name, "url": "http://127.0.0.1:\(http.port)/hook/\(name)", "max_retry_seconds": 0.5]
        }
        func posts(_ name: String) throws -> [[String: Any]] {
            try appRequests(http).filter { $0["path"] as? String == "/hook/\(name)" }
        }
        let site = try SetupSite(notifiers: [hook("a")])
        try site.log(["anna@example.org": 5])
        let first = try site.mvpipe("run", ["--now", "2026-11-20T18:00"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try posts("a").count == 1)

        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: site.config))) as? [String: Any])
        object["notifiers"] = [hook("a"), hook("b")]
        try ConfigFile.write(object, to: site.config)
        let second = try site.mvpipe("run", ["--now", "2026-11-20T18:05", "--log-level", "notice"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("notifier b is new in the config: queued today's 1 open alert(s) for it"), "\(second.stderr)")
        let b = try posts("b")
        try #require(b.count == 1)
        let alerts = try jsonBody(b[0])["alerts"] as? [[String: Any]]
        #expect(alerts?.first?["user"] as? String == "anna@example.org")
        #expect(try posts("a").count == 1, "a is not sent it again")

        let third = try site.mvpipe("run", ["--now", "2026-11-20T18:10"])
        #expect(third.status == 0)
        #expect(try posts("b").count == 1, "b gets it once")
    }
}
