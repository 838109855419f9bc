import Foundation
import Testing

/// The real Exim 4.96 captures in Tests/Fixtures/exim/ and their truth files (written from what was sent).
enum EximFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/exim")

    /// The capture runs: `log_selector` not set, `+received_recipients`, `+all` (with `log_timezone`).
    static let runs = ["default", "received_recipients", "all"]

    /// The day every run was captured on.
    static let day = "2026-12-02"

    /// `Tests/Fixtures/exim/RUN/FILE`.
    static func file(_ run: String, _ name: String) -> String {
        root.appendingPathComponent(run).appendingPathComponent(name).path
    }

    /// The run's truth file.
    static func truth(_ run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file(run, "truth.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The time zone of the run's log (the site's, for mvpipe).
    static func timezone(_ run: String) throws -> String {
        try #require(try truth(run)["timezone"] as? String)
    }

    /// The expected counts on ``day``: `byLogin` or `bySender` of the truth file.
    ///
    /// Without `+received_recipients` the log cannot always tell every envelope recipient: in message S5.3
    /// bob sent to staff@example.org (an alias that expands to alice, among others) and to alice@example.org, and
    /// Exim delivered alice once, writing a line for staff@ only. Recipients are then counted from the delivery
    /// lines and that message shows 1 recipient instead of 2 (the Exim fixtures' README, fact 6, and
    /// docs/sources.md): the only place the default log is not exact.
    static func expected(_ run: String, identity: String) throws -> [String: MaillogCount] {
        let truth = try truth(run)
        let expected = try #require(truth["expected"] as? [String: Any])
        let users = try #require(expected[identity == "login" ? "byLogin" : "bySender"] as? [String: [String: [String: Int]]])
        var counts: [String: MaillogCount] = [:]
        for (user, days) in users {
            let volume = try #require(days[day])
            counts[user] = MaillogCount(messages: try #require(volume["messages"]), recipients: volume["recipients"])
        }
        if run == "default" {
            let user = "bob@example.org"  // S5.3's login, and its envelope sender
            counts[user]?.recipients? -= 1
        }
        return counts
    }

    /// A harness whose config reads `paths` with an exim-log source, in the time zone of `run`.
    static func harness(_ run: String, identity: String = "login", lowercase: Bool = true,
                        paths: [String] = ["mainlog*"]) throws -> MaillogHarness {
        try MaillogHarness(source: ["type": "exim-log", "paths": paths, "identity": identity, "lowercase": lowercase],
                           timezone: try timezone(run))
    }
}
