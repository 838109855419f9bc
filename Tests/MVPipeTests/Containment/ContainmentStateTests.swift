import Foundation
import Pipeline
import Testing

/// Holds live in the state: listed, released and shared by a fleet on PostgreSQL as on SQLite.
@Suite struct ContainmentStateTests {
    static var kinds: [String] { TestPostgres.enabled ? ["sqlite", "postgresql"] : ["sqlite"] }

    @Test(arguments: kinds)
    func holdsAreListedAndReleased(kind: String) throws {
        var extra: [String: Any] = ["host": "mx1.example.org"]
        var environment: [String: String] = [:]
        if kind == "postgresql" {
            extra["state"] = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
            environment["MVPIPE_STATE_URL"] = try TestPostgres.newDatabase()
        }
        let s = try ContainmentSetup(extra: extra, environment: environment)
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let run = try s.run()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        let json = try s.cli(["holds", "--config", s.config, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.lines.count == 1)
        for part in ["\"user\":\"alice@example.org\"", "\"relay\":\"mx1.example.org\"", "\"since\":\"2026-11-25T10:00:00Z\"",
                     "\"notifier\":\"postfix-hold\"", "\"messages\":250"] {
            #expect(json.stdout.contains(part), "\(part) in \(json.stdout)")
        }
        let released = try s.cli(["release", "--config", s.config, "alice@example.org"])
        #expect(released.status == 0, "\(released.stderr)")
        #expect(try s.cli(["holds", "--config", s.config, "--json"]).stdout.isEmpty)
        #expect(s.mapKeys.isEmpty)
    }

    /// Relay 1 holds alice; relay 2's next run writes her into its own map from the shared state, and a release on
    /// either relay lifts her on both.
    @Test(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
    func fleetRelaysShareHolds() throws {
        let url = try TestPostgres.newDatabase()
        let state: [String: Any] = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
        let one = try ContainmentSetup(extra: ["host": "mx1.example.org", "state": state], environment: ["MVPIPE_STATE_URL": url])
        let two = try ContainmentSetup(extra: ["host": "mx2.example.org", "state": state], environment: ["MVPIPE_STATE_URL": url],
                                       users: ["carol@example.org"])
        try one.archive.add(250, sender: "alice@example.org", on: one.today)
        #expect(try one.run().status == 0)
        #expect(one.mapKeys == ["alice@example.org"])
        let second = try two.run("2026-11-25T10:05")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(two.mapKeys == ["alice@example.org"])
        #expect(two.reloads.count == 1)
        #expect(try two.cli(["holds", "--config", two.config]).stdout.contains("relay mx1.example.org"))

        #expect(try two.cli(["release", "--config", two.config, "alice@example.org"]).status == 0)
        #expect(two.mapKeys.isEmpty)
        #expect(try one.run("2026-11-25T10:10").status == 0)
        #expect(one.mapKeys.isEmpty)
    }
}
