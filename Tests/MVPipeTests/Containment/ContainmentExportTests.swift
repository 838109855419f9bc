import Foundation
import Pipeline
import Testing

/// Holds survive `state export` / `state import` (SQLite to SQLite, SQLite to a PostgreSQL fleet) and `state prune`:
/// a restored state's next run writes the held accounts into its map again, instead of releasing them.
@Suite struct ContainmentExportTests {
    static var targets: [String] { TestPostgres.enabled ? ["sqlite", "postgresql"] : ["sqlite"] }

    /// Relay mx1 holds alice and bob, bob is released; a state restored from its export holds alice and knows bob was
    /// released today.
    static func heldAndExported() throws -> (setup: ContainmentSetup, export: String) {
        let s = try ContainmentSetup(extra: ["host": "mx1.example.org"])
        for user in ["alice@example.org", "bob@example.org"] { try s.archive.add(250, sender: user, on: s.today) }
        let run = try s.run()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(s.mapKeys == ["alice@example.org", "bob@example.org"])
        #expect(try s.cli(["release", "--config", s.config, "bob@example.org"]).status == 0)
        let file = s.dir.file("state.jsonl")
        let export = try s.cli(["state", "export", "--config", s.config, "--output", file])
        #expect(export.status == 0, "\(export.stderr)")
        return (s, file)
    }

    /// A fresh relay with the same archive, its state on `kind`.
    static func freshRelay(_ kind: String) throws -> ContainmentSetup {
        var extra: [String: Any] = ["host": "mx1.example.org"]
        var environment: [String: String] = [:]
        if kind == "postgresql" {
            extra["state"] = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
            environment["MVPIPE_STATE_URL"] = try TestPostgres.newDatabase()
        }
        let s = try ContainmentSetup(extra: extra, environment: environment)
        for user in ["alice@example.org", "bob@example.org"] { try s.archive.add(250, sender: user, on: s.today) }
        return s
    }

    @Test(arguments: targets)
    func importedStateKeepsHoldsAndPruneKeepsThoseInForce(kind: String) throws {
        let (a, file) = try Self.heldAndExported()
        defer { withExtendedLifetime(a) {} }  // its directory holds the export
        let exported = try String(contentsOfFile: file, encoding: .utf8)
        #expect(exported.split(separator: "\n").contains { $0.hasPrefix("{\"table\":\"hold\",") && $0.contains("\"key\":\"alice@example.org\"") && $0.hasSuffix("\"released_at\":null,\"released_by\":null}") })

        let b = try Self.freshRelay(kind)
        let imported = try b.cli(["state", "import", "--config", b.config, "--input", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("hold 2"), "\(imported.stdout)")
        #expect(!imported.stdout.contains("no holds"))

        // The restored relay's map does not exist yet: its next run writes it from the imported holds.
        let run = try b.run("2026-11-25T10:30")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(b.mapKeys == ["alice@example.org"], "\(b.mapText)")
        if ContainmentSetup.hasPostmap { #expect(try b.lookup("alice@example.org") != nil) }
        let holds = try b.cli(["holds", "--config", b.config, "--json"])
        #expect(holds.status == 0, "\(holds.stderr)")
        #expect(holds.lines.count == 1)
        #expect(holds.stdout.contains("\"user\":\"alice@example.org\"") && holds.stdout.contains("\"relay\":\"mx1.example.org\""),
                "\(holds.stdout)")

        let check = try b.cli(["state", "check", "--config", b.config, "--now", "2026-11-25T10:40"])
        #expect(check.stdout.contains("holds: 1 in force, 1 released"), "\(check.stdout)\(check.stderr)")

        // Weeks later: bob's release is older than what is kept and goes; alice's hold is in force and stays.
        // (`release` records the clock's time, so "later" counts from it.)
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd'T'HH:mm"
        let later = format.string(from: Date().addingTimeInterval(30 * 86_400))
        let prune = try b.cli(["state", "prune", "--config", b.config, "--now", later, "--keep-days", "14"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("        1 holds released before"), "\(prune.stdout)")
        #expect(prune.stdout.contains("kept: 1 hold(s) in force"), "\(prune.stdout)")
        let after = try b.cli(["holds", "--config", b.config, "--json"])
        #expect(after.lines.count == 1 && after.stdout.contains("\"user\":\"alice@example.org\""), "\(after.stdout)")
        let checked = try b.cli(["state", "check", "--config", b.config, "--now", later])
        #expect(checked.stdout.contains("holds: 1 in force, 0 released"), "\(checked.stdout)\(checked.stderr)")
    }

    /// An export made before holds were exported (schema 3, no hold lines) still imports, and the report says that it
    /// brought no holds.
    @Test func olderExportWithoutHoldsImportsAndSaysSo() throws {
        let (a, file) = try Self.heldAndExported()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        var older = lines.filter { !$0.hasPrefix("{\"table\":\"hold\"") }
        older[0] = older[0].replacingOccurrences(
            of: #""schema_version":[0-9]+"#, with: #""schema_version":3"#, options: .regularExpression)
        let oldFile = a.dir.file("old.jsonl")
        try (older.joined(separator: "\n") + "\n").write(toFile: oldFile, atomically: true, encoding: .utf8)

        let b = try Self.freshRelay("sqlite")
        let imported = try b.cli(["state", "import", "--config", b.config, "--input", oldFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("(exported at schema 3)"), "\(imported.stdout)")
        #expect(imported.stdout.contains("the export has no holds"), "\(imported.stdout)")
        #expect(try b.cli(["holds", "--config", b.config, "--json"]).stdout.isEmpty)
    }

    /// Two holds in force for one account in a file are refused before anything is written, naming the line.
    @Test func secondHoldInForceIsRefused() throws {
        let (a, file) = try Self.heldAndExported()
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let alice = try #require(text.split(separator: "\n").first { $0.hasPrefix("{\"table\":\"hold\",") && $0.contains("\"key\":\"alice@example.org\"") })
        text += alice.replacing(#/"id":\d+,/#, with: "\"id\":7,") + "\n"
        let bad = a.dir.file("bad.jsonl")
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try Self.freshRelay("sqlite")
        let imported = try b.cli(["state", "import", "--config", b.config, "--input", bad])
        #expect(imported.status == 65, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stderr.contains("a second hold in force"), "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: b.dir.file("state.sqlite")))
    }

    /// Into a fleet that already holds alice (relay mx2 put her on hold): her hold stays mx2's, the report says the
    /// export's was left out, and bob's released hold joins as history.
    @Test(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
    func fleetThatHoldsTheAccountKeepsItsHold() throws {
        let (a, file) = try Self.heldAndExported()
        defer { withExtendedLifetime(a) {} }
        let url = try TestPostgres.newDatabase()
        let state: [String: Any] = ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]
        let two = try ContainmentSetup(extra: ["host": "mx2.example.org", "state": state], environment: ["MVPIPE_STATE_URL": url])
        try two.archive.add(250, sender: "alice@example.org", on: two.today)
        #expect(try two.run().status == 0)
        #expect(two.mapKeys == ["alice@example.org"])

        let one = try ContainmentSetup(extra: ["host": "mx1.example.org", "state": state], environment: ["MVPIPE_STATE_URL": url])
        for user in ["alice@example.org", "bob@example.org"] { try one.archive.add(250, sender: user, on: one.today) }
        let imported = try one.cli(["state", "import", "--config", one.config, "--input", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("hold 1"), "\(imported.stdout)")
        #expect(imported.stdout.contains("1 hold(s) of the export were left out"), "\(imported.stdout)")
        let run = try one.run("2026-11-25T10:30")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(one.mapKeys == ["alice@example.org"], "\(one.mapText)")
        let holds = try one.cli(["holds", "--config", one.config, "--json"])
        #expect(holds.lines.count == 1 && holds.stdout.contains("\"relay\":\"mx2.example.org\""), "\(holds.stdout)")
    }
}
