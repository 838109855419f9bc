import Foundation
import Testing

/// Client IPs and silences survive `state export` / `state import` (SQLite to SQLite, SQLite to a PostgreSQL fleet)
/// and `state prune`: a restored state still silences the planned mailing, and still knows the addresses a login used,
/// instead of alerting again and marking every address NEW.
@Suite struct EvidenceExportTests {
    static var detectors: [[String: Any]] { [["type": "hard-cap", "limit": 10]] }

    /// Relay state with IP history (alice from 192.0.2.10 on 2026-11-20) and news@ silenced through 2026-11-28,
    /// exported to `state.jsonl` in its folder.
    static func silencedWithHistory() throws -> (harness: EvidenceHarness, export: String) {
        let h = try EvidenceHarness(store: "sqlite", detectors: detectors)
        try h.send(5, user: "alice@example.org", on: "2026-11-20", from: "192.0.2.10")
        try h.send(3, user: "news@example.org", on: "2026-11-20", from: "198.51.100.5")
        let run = try h.mvpipe(["run", "--now", "2026-11-20T18:00"])
        #expect(run.status == 0, "\(run.stderr)")
        let silence = try h.mvpipe(["silence", "news@example.org", "--until", "2026-11-28", "--reason", "monthly mailing",
                                    "--now", "2026-11-20T18:05"])
        #expect(silence.status == 0, "\(silence.stderr)")
        let file = h.dir.file("state.jsonl")
        let export = try h.mvpipe(["state", "export", "--output", file])
        #expect(export.status == 0, "\(export.stderr)")
        return (h, file)
    }

    /// A second config beside `h`'s, reading the same log into a new state on `kind` (SQLite file or PostgreSQL
    /// database); runs `mvpipe ARGS --config` it.
    final class Restored {
        let config: String
        private var environment: [String: String] = [:]

        init(beside h: EvidenceHarness, kind: String, url: String? = nil, host: String? = nil, name: String = "restored") throws {
            var state: Any = h.dir.file("\(name).sqlite")
            if kind == "postgresql" {
                #if canImport(PostgresStore)
                environment["MVPIPE_STATE_URL"] = try url ?? TestPostgres.newDatabase()
                state = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
                #else
                throw SetupError("this build has no PostgreSQL store (MVPIPE_WITHOUT_POSTGRES)")
                #endif
            }
            var object: [String: Any] = [
                "timezone": "UTC",
                "state": state,
                "sources": [["type": "postfix-log", "paths": [h.dir.file("mail.log")]]],
                "detectors": EvidenceExportTests.detectors,
                "notifiers": [["type": "console"]],
            ]
            if let host { object["host"] = host }
            config = try ConfigFile.write(object, to: h.dir.file("\(name).json"))
        }

        func mvpipe(_ arguments: [String]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", config], environment: environment)
        }
    }

    @Test(arguments: EvidenceHarness.stores)
    func restoredStateKeepsSilencesAndKnownAddresses(kind: String) throws {
        let (h, file) = try Self.silencedWithHistory()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("{\"table\":\"client_ip\",") && $0.contains("\"ip\":\"192.0.2.10\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("{\"table\":\"silence\",\"user\":\"news@example.org\",\"until\":\"2026-11-28\",\"reason\":\"monthly mailing\",") })

        let b = try Restored(beside: h, kind: kind)
        let imported = try b.mvpipe(["state", "import", "--input", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("client_ip 2") && imported.stdout.contains("silence 1"), "\(imported.stdout)")
        #expect(!imported.stdout.contains("no client IPs") && !imported.stdout.contains("no silences"), "\(imported.stdout)")
        let silences = try b.mvpipe(["silences", "--now", "2026-11-27T18:00"])
        #expect(silences.stdout.contains("2026-11-28  active  2026-11-20  news@example.org: monthly mailing"), "\(silences.stdout)")
        let check = try b.mvpipe(["state", "check", "--now", "2026-11-27T18:00"])
        #expect(check.stdout.contains("client IPs: 2 row(s) for 2 user(s), 2026-11-20 to 2026-11-20"), "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("silences: 1 in force on 2026-11-27, 0 ended"), "\(check.stdout)")

        // A week later on the restored state: news@'s mailing stays silent, alice's usual address is not NEW.
        try h.send(20, user: "alice@example.org", on: "2026-11-27", from: "192.0.2.10")
        try h.send(3, user: "alice@example.org", on: "2026-11-27", from: "203.0.113.9", hour: 10)
        try h.send(50, user: "news@example.org", on: "2026-11-27", from: "198.51.100.5")
        let run = try b.mvpipe(["run", "--now", "2026-11-27T18:00", "--log-level", "info"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(EvidenceHarness.headlines(run).map { $0.split(separator: ":")[0] } == ["- alice@example.org"], "\(run.stdout)")
        #expect(run.stdout.contains("    from: 192.0.2.10 (20), 203.0.113.9 (3, NEW)"), "\(run.stdout)")
        #expect(run.stderr.contains("news@example.org would alert but is silenced until 2026-11-28"), "\(run.stderr)")
    }

    #if canImport(PostgresStore)
    /// Into a fleet that silences news@ already (set from relay mx2): that silence stays, the report says the export's
    /// was left out, and the relay's client IPs join the fleet's.
    @Test(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
    func fleetThatSilencesTheUserKeepsItsSilence() throws {
        let (h, file) = try Self.silencedWithHistory()
        let url = try TestPostgres.newDatabase()
        let two = try Restored(beside: h, kind: "postgresql", url: url, host: "mx2.example.org", name: "mx2")
        let silence = try two.mvpipe(["silence", "news@example.org", "--until", "2026-12-15", "--reason", "fleet mailing",
                                      "--now", "2026-11-21T09:00"])
        #expect(silence.status == 0, "\(silence.stderr)")

        let one = try Restored(beside: h, kind: "postgresql", url: url, host: "mx1.example.org", name: "mx1")
        let imported = try one.mvpipe(["state", "import", "--input", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("client_ip 2") && !imported.stdout.contains("silence 1"), "\(imported.stdout)")
        #expect(imported.stdout.contains("1 silence(s) of the export were left out: the state silences the same user already"),
                "\(imported.stdout)")
        let silences = try one.mvpipe(["silences", "--now", "2026-11-27T18:00"])
        #expect(silences.stdout.contains("2026-12-15  active  2026-11-21  news@example.org: fleet mailing"), "\(silences.stdout)")
    }
    #endif

    /// An export without client IPs and silences (schema 4, or schema 6 made before they were exported) still imports,
    /// and the report says what it lacked.
    @Test(arguments: [4, 6])
    func olderExportWithoutThemImportsAndSaysSo(schema: Int) throws {
        let (h, file) = try Self.silencedWithHistory()
        var older = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("{\"table\":\"client_ip\"") && !$0.hasPrefix("{\"table\":\"silence\"") }
        older[0] = older[0].replacingOccurrences(of: #""schema_version":[0-9]+"#, with: "\"schema_version\":\(schema)",
                                                 options: .regularExpression)
        let oldFile = h.dir.file("old.jsonl")
        try (older.joined(separator: "\n") + "\n").write(toFile: oldFile, atomically: true, encoding: .utf8)

        let b = try Restored(beside: h, kind: "sqlite")
        let imported = try b.mvpipe(["state", "import", "--input", oldFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        let why = schema < 5 ? "a state of schema 4 kept none" : "an export made before mvpipe exported them has none"
        #expect(imported.stdout.contains("the export has no client IPs (\(why)): the next alerts mark every address NEW"), "\(imported.stdout)")
        let whySilences = schema < 6 ? "a state of schema 4 kept none" : "an export made before mvpipe exported them has none"
        #expect(imported.stdout.contains("the export has no silences (\(whySilences)): no user is silenced"), "\(imported.stdout)")
        let silences = try b.mvpipe(["silences", "--now", "2026-11-27T18:00"])
        #expect(!silences.stdout.contains("news@example.org"), "\(silences.stdout)")
    }

    /// Two silences for one user in a file are refused before anything is written, naming the line.
    @Test func secondSilenceForAUserIsRefused() throws {
        let (h, file) = try Self.silencedWithHistory()
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("{\"table\":\"silence\",") })
        text += line.replacingOccurrences(of: "2026-11-28", with: "2026-12-31") + "\n"
        let bad = h.dir.file("bad.jsonl")
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try Restored(beside: h, kind: "sqlite")
        let imported = try b.mvpipe(["state", "import", "--input", bad])
        #expect(imported.status == 65, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stderr.contains("line \(text.split(separator: "\n").count): a second silence for user 'news@example.org'"), "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.dir.file("restored.sqlite")))
    }

    /// Prune removes client IPs older than the 30 days alerts compare addresses with (the cut-off of --keep-days 14
    /// would be later) and silences that ended before the cut-off; a silence in force stays.
    @Test(arguments: EvidenceHarness.stores)
    func pruneKeepsTheAddressesAlertsCompareWithAndSilencesInForce(kind: String) throws {
        let h = try EvidenceHarness(store: kind, detectors: Self.detectors)
        try h.send(2, user: "alice@example.org", on: "2026-10-25", from: "198.51.100.1")
        #expect(try h.mvpipe(["run", "--now", "2026-10-25T18:00"]).status == 0)
        try h.send(2, user: "alice@example.org", on: "2026-11-25", from: "192.0.2.10")
        #expect(try h.mvpipe(["run", "--now", "2026-11-25T18:00"]).status == 0)
        for (user, until) in [("news@example.org", "2026-11-26"), ("bob@example.org", "2026-12-31")] {
            let silence = try h.mvpipe(["silence", user, "--until", until, "--reason", "mailing", "--now", "2026-11-25T18:05"])
            #expect(silence.status == 0, "\(silence.stderr)")
        }

        let prune = try h.mvpipe(["state", "prune", "--now", "2026-12-20T10:00", "--keep-days", "14"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("        1 client IP rows before 2026-11-20 (kept: the 30 days alerts compare addresses with, at most 90 days)"), "\(prune.stdout)")
        #expect(prune.stdout.contains("        1 silences that ended before 2026-12-06"), "\(prune.stdout)")
        #expect(prune.stdout.contains("kept: 1 silence(s) in force or ended since 2026-12-06"), "\(prune.stdout)")
        let check = try h.mvpipe(["state", "check", "--now", "2026-12-20T10:00"])
        #expect(check.stdout.contains("client IPs: 1 row(s) for 1 user(s), 2026-11-25 to 2026-11-25"), "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("silences: 1 in force on 2026-12-20, 0 ended"), "\(check.stdout)")
        let silences = try h.mvpipe(["silences", "--now", "2026-12-20T10:00"])
        #expect(silences.stdout.contains("bob@example.org") && !silences.stdout.contains("news@example.org"), "\(silences.stdout)")

        // 192.0.2.10 (2026-11-25) is older than the cut-off but within the 30 days: still known, not NEW.
        try h.send(20, user: "alice@example.org", on: "2026-12-20", from: "192.0.2.10")
        let run = try h.mvpipe(["run", "--now", "2026-12-20T18:00"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("    from: 192.0.2.10 (20)\n"), "\(run.stdout)")
    }
}
