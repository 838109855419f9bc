import Foundation
import Pipeline
import Testing

/// `postfix-hold` through the CLI: the map, the reload, untrusted names, allow, detectors, the circuit breaker, the
/// dry run, failures and retries, release, and a run killed while writing the map. No Postfix runs; Debian's
/// `postmap` (when installed) checks that Postfix reads the map as meant.
@Suite struct ContainmentTests {
    @Test func holdIsWrittenReloadedOnceAndSaidInEveryAlert() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let first = try s.run()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(s.mapText.contains("alice@example.org HOLD "))
        #expect(try s.mapIsValid())
        #expect(s.reloads == ["reload"])
        #expect(first.stdout.contains("containment: mail from this account is now on hold in Postfix (HOLD"))
        #expect(first.stdout.contains("release it with: mvpipe release --config \(s.config) alice@example.org"))
        if ContainmentSetup.hasPostmap {
            #expect(try s.lookup("alice@example.org")?.hasPrefix("HOLD mail from this account is suspended by mvpipe after alert") == true)
            #expect(try s.lookup("ALICE@Example.org") != nil)
            #expect(try s.lookup("bob@example.org") == nil)
        }

        // Nothing changed: no rewrite, no reload.
        let again = try s.run("2026-11-25T11:00")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(s.reloads == ["reload"])

        let listed = try s.cli(["holds", "--config", s.config])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("alice@example.org: on hold since 2026-11-25 10:00 UTC, alert #1 (250 messages on 2026-11-25)"))
        let json = try s.cli(["holds", "--config", s.config, "--json"])
        #expect(json.lines.count == 1)
        #expect(json.stdout.contains("\"user\":\"alice@example.org\""))
        #expect(json.stdout.contains("\"alert_id\":1"))
    }

    @Test func deletedMapIsRebuiltAndReloaded() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        #expect(try s.run().status == 0)
        try FileManager.default.removeItem(atPath: s.map)
        let healed = try s.run("2026-11-25T11:00")
        #expect(healed.status == 0, "\(healed.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(s.reloads.count == 2)
        // Edited by hand: put back too.
        try "alice@example.org OK\nbob@example.org HOLD\n".write(toFile: s.map, atomically: false, encoding: .utf8)
        #expect(try s.run("2026-11-25T12:00").status == 0)
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(s.reloads.count == 3)
    }

    @Test func hostileNamesNeverCorruptTheMap() throws {
        let hostile: [(bytes: [UInt8], reason: String)] = [
            (Array("evil@example.org\nbob@example.org".utf8), "control characters"),
            (Array("x@example.org HOLD\r".utf8), "control characters"),
            (Array("sp ace@example.org".utf8), "whitespace"),
            (Array("#comment@example.org".utf8), "starts with '#'"),
            (Array("tab\t@example.org".utf8), "control characters"),
            (Array("bell\u{7}@example.org".utf8), "control characters"),
            (Array("catchall@".utf8), "would hold every account"),
            (Array("nbsp\u{a0}@example.org".utf8), "whitespace"),
            (Array("j\u{f6}rg@example.org".utf8), "outside ASCII"),
            (Array(String(repeating: "a", count: 240).utf8) + Array("@example.org".utf8), ""),
        ]
        let s = try ContainmentSetup(hold: ["max_new_holds": 100], users: ["Mixed.Case@Example.org", "alice@example.org"])
        for (bytes, _) in hostile { try s.archive.add(250, senderBytes: bytes, on: s.today) }
        try s.archive.add(250, sender: "Mixed.Case@Example.org", on: s.today)
        try s.archive.add(250, sender: "a'b$(id)`id`;@example.org", on: s.today)
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try s.mapIsValid())
        let long = String(repeating: "a", count: 240) + "@example.org"
        #expect(Set(s.mapKeys) == ["mixed.case@example.org", "a'b$(id)`id`;@example.org", long])
        #expect(s.mapText.split(separator: "\n").count == 2 + 3)
        for (_, reason) in hostile where !reason.isEmpty {
            #expect(result.stdout.contains("NOT put on hold: ") && result.stdout.contains(reason), "\(reason)")
        }
        // The quoted release command a shell would run as one word.
        #expect(result.stdout.contains("mvpipe release --config \(s.config) 'a'\\''b$(id)`id`;@example.org'"))
        if ContainmentSetup.hasPostmap {
            #expect(try s.lookup("bob@example.org") == nil)
            #expect(try s.lookup("evil@example.org") == nil)
            #expect(try s.lookup("x@example.org") == nil)
            #expect(try s.lookup("mixed.case@example.org") != nil)
            #expect(try s.lookup(long) != nil)
        }
    }

    @Test func allowAndDetectorsKeepAccountsOutOfTheMap() throws {
        // alice (250) fires both detectors, bob (150) only percent-over-average; carol is allowed.
        let s = try ContainmentSetup(hold: ["allow": ["carol@*"], "detectors": ["hard-cap"]],
                                     users: ["alice@example.org", "bob@example.org", "carol@example.org"])
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        try s.archive.add(150, sender: "bob@example.org", on: s.today)
        try s.archive.add(900, sender: "carol@example.org", on: s.today)
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(result.stdout.contains("not put on hold: the account matches carol@* of \"allow\""))
        #expect(result.stdout.contains("not put on hold: only hard-cap may cause a hold (\"detectors\" of postfix-hold), and percent-over-average fired"))
    }

    @Test func unknownDetectorIsAConfigError() throws {
        let s = try ContainmentSetup(hold: ["detectors": ["hard-cpa"]])
        let result = try s.run()
        #expect(result.status == 78)
        #expect(result.stderr.contains("$.notifiers[0].detectors[0]"))
        #expect(result.stderr.contains("no detector of type 'hard-cpa'"))
        let wrong = try ContainmentSetup(hold: ["action": "hold", "map_type": "cdb"])
        let bad = try wrong.run()
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("$.notifiers[0].action"))
    }

    /// Two entries on one map would each rewrite it with only their own holds, lifting the other's on every run.
    @Test func twoEntriesOnOneMapAreAConfigError() throws {
        let s = try ContainmentSetup()
        let entry: [String: Any] = ["type": "postfix-hold", "name": "logins", "map": s.map, "reload_command": [] as [String]]
        let config = try ConfigFile.write(
            ConfigFile.archive(root: s.dir.file("archive"), state: s.dir.file("state.sqlite"),
                               notifiers: [entry, ["type": "postfix-hold", "name": "senders", "lookup": "sender",
                                                            "map": s.dir.file("postfix/../postfix/mvpipe_holds")]],
                               timezone: "UTC"),
            to: s.dir.file("two.json"))
        let result = try CLIRunner.run(["check", "--config", config, "--config-only"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("$.notifiers[1].map"), "\(result.stderr)")
        #expect(result.stderr.contains("is already the map of $.notifiers[0]"), "\(result.stderr)")
    }

    /// A sender map (`"lookup": "sender"`, read by check_sender_access) gets only whole addresses: an archive
    /// sender folder `example.org` would otherwise hold the whole domain and its subdomains, `<>` every bounce.
    @Test func senderMapsHoldOnlyWholeAddresses() throws {
        let s = try ContainmentSetup(hold: ["lookup": "sender", "max_new_holds": 10])
        for sender in ["alice@example.org", "example.org", "<>", "192.0.2.7"] {
            try s.archive.add(250, sender: sender, on: s.today)
        }
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(s.mapKeys == ["alice@example.org"], "\(s.mapText)")
        #expect(try s.mapIsValid())
        #expect(result.stdout.contains("only whole addresses are written to a sender map"))
        #expect(result.stdout.contains("null sender"))
        #expect(result.stdout.contains("is an IP address"))
        if ContainmentSetup.hasPostmap {
            #expect(try s.lookup("example.org") == nil)
        }
    }

    @Test func circuitBreakerHoldsNoneAndSaysSoLoudly() throws {
        let s = try ContainmentSetup(hold: ["max_new_holds": 1])
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        try s.archive.add(250, sender: "bob@example.org", on: s.today)
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(s.mapKeys.isEmpty)
        #expect(try s.mapIsValid())
        #expect(result.stdout.components(separatedBy: "NOT put on hold: CIRCUIT BREAKER: 2 accounts would have been put on hold in one run, more than max_new_holds 1").count == 3)
        #expect(result.stderr.contains("circuit breaker"))
        #expect(try s.cli(["holds", "--config", s.config]).stdout.contains("no account is on hold"))
    }

    @Test func dryRunShowsWhatWouldBeHeldAndWritesNothing() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let result = try s.run("2026-11-25T10:00", ["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("dry run: mail from this account would now be put on hold in Postfix (HOLD in \(s.map))"))
        #expect(!s.mapExists)
        #expect(s.reloads.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("state.sqlite")))
        let json = try s.run("2026-11-25T10:00", ["--dry-run", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains("\"containment\":{\"postfix-hold\":\"dry run: mail from this account would now be put on hold in Postfix"))
        #expect(!s.mapExists)
    }

    @Test func failingReloadIsAFailedDeliveryRetriedNextRun() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        try s.failReload(true)
        let failed = try s.run()
        #expect(failed.status == 75, "\(failed.stderr)")
        #expect(failed.stderr.contains("the Postfix mail system is not running (simulated)"))
        #expect(failed.stdout.contains("NOT yet on hold in Postfix: the reload command"))
        // The map was missing: it is never put back as missing (Postfix would answer every sender 451 without it).
        #expect(s.mapExists, "a missing map stays written after a failed reload")
        #expect(try s.mapIsValid())
        #expect(s.mapText.contains("# mvpipe: reloading Postfix after writing this map failed"))
        #expect(try s.cli(["holds", "--config", s.config]).stdout.contains("no account is on hold"))

        try s.failReload(false)
        let retried = try s.run("2026-11-25T11:00")
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(s.reloads == ["reload"])
        #expect(try s.cli(["holds", "--config", s.config]).stdout.contains("alice@example.org: on hold"))
    }

    @Test func unwritableMapIsAFailedDelivery() throws {
        let s = try ContainmentSetup(hold: ["map": "/nonexistent-mvpipe-dir/mvpipe_holds"])
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let result = try s.run()
        #expect(result.status == 75)
        #expect(result.stderr.contains("cannot create /nonexistent-mvpipe-dir/.mvpipe_holds."))
        #expect(result.stdout.contains("NOT yet on hold in Postfix"))
    }

    @Test func releaseLiftsTheHoldUntilTheAccountEscalates() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        #expect(try s.run().status == 0)
        let unknown = try s.cli(["release", "--config", s.config, "bob@example.org"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("not on hold: bob@example.org; nothing was released"))

        let released = try s.cli(["release", "--config", s.config, "--by", "postmaster", "ALICE@example.org"])
        #expect(released.status == 0, "\(released.stderr)")
        #expect(released.stdout.contains("released alice@example.org"))
        #expect(s.mapKeys.isEmpty)
        #expect(s.reloads.count == 2)
        #expect(try s.cli(["holds", "--config", s.config]).stdout.contains("no account is on hold"))

        // The same day, more mail but short of realert_factor (2) × 250: no new alert, no hold.
        try s.archive.add(100, sender: "alice@example.org", on: s.today)
        #expect(try s.run("2026-11-25T12:00").status == 0)
        #expect(s.mapKeys.isEmpty)
        // It escalates: held again.
        try s.archive.add(200, sender: "alice@example.org", on: s.today)
        let escalated = try s.run("2026-11-25T13:00")
        #expect(escalated.status == 0, "\(escalated.stderr)")
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(escalated.stdout.contains("now on hold in Postfix"))
    }

    @Test func failingReloadOnReleaseSaysSoAndTheNextRunRetries() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        #expect(try s.run().status == 0)
        try s.failReload(true)
        let released = try s.cli(["release", "--config", s.config, "alice@example.org"])
        #expect(released.status == 75)
        #expect(released.stderr.contains("released in the state, but Postfix may still hold them"))
        #expect(s.mapKeys == ["alice@example.org"], "the map is put back as Postfix last read it")
        try s.failReload(false)
        #expect(try s.run("2026-11-25T11:00").status == 0)
        #expect(s.mapKeys.isEmpty)
        #expect(s.reloads.count == 2)
    }

    @Test func runKilledWhileWritingTheMapLeavesAValidMap() throws {
        let s = try ContainmentSetup()
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        #expect(try s.run().status == 0)
        try s.archive.add(250, sender: "bob@example.org", on: s.today)
        let killed = try s.run("2026-11-25T11:00", environment: ["MVPIPE_TEST_KILL_AT": "map:1"])
        #expect(killed.signal == SIGKILL)
        #expect(s.mapKeys == ["alice@example.org"])
        #expect(try s.mapIsValid())
        let next = try s.run("2026-11-25T12:00")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(s.mapKeys == ["alice@example.org", "bob@example.org"])
        #expect(try s.mapIsValid())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.dir.file("postfix")).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.count <= 1, "at most the killed run's temporary file")
    }

    @Test(.enabled(if: ContainmentSetup.hasPostmap, "needs Postfix's postmap"))
    func hashMapIsBuiltWithPostmap() throws {
        let s = try ContainmentSetup(hold: ["map_type": "hash", "action": "DEFER"])
        try s.archive.add(250, sender: "alice@example.org", on: s.today)
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: s.map + ".db"))
        #expect(try s.lookup("alice@example.org", type: "hash")?.hasPrefix("DEFER ") == true)
        #expect(try s.lookup("bob@example.org", type: "hash") == nil)
        // The database deleted: rebuilt and reloaded.
        try FileManager.default.removeItem(atPath: s.map + ".db")
        #expect(try s.run("2026-11-25T11:00").status == 0)
        #expect(try s.lookup("alice@example.org", type: "hash") != nil)
        #expect(s.reloads.count == 2)
    }
}
