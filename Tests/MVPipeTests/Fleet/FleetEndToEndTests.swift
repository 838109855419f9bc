#if canImport(PostgresStore)  // not in builds made with MVPIPE_WITHOUT_POSTGRES (CI's sanitized runs)
import Foundation
import Pipeline
import PostgresStore
import Testing

/// Three relays on one PostgreSQL state, through the CLI: each runs its own `mvpipe run` with its own archive and
/// config (its own `host`), at the same time, and the fleet behaves as one relay on all of their mail.
@Suite(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
struct FleetEndToEndTests {
    static let relays = ["mx1.example.org", "mx2.example.org", "mx3.example.org"]
    static let day = Day("2026-11-25")!

    /// A mail program that appends one line per mail (its arguments) to `sent-<name>.log` beside it; appends of one
    /// short line are atomic, so relays delivering at once cannot mix their lines.
    static let recordingMail = """
        #!/bin/sh
        line="$* $(tr '\\n' ' ')"
        printf '%s\\n' "$line" >> "$(dirname "$0")/sent-$MVPIPE_TEST_NOTIFIER.log"
        """

    struct Fleet {
        let dir: TemporaryDirectory
        let url: String
        var configs: [String] = []

        init(lease: Int? = nil) throws {
            dir = try TemporaryDirectory()
            url = try TestPostgres.newDatabase()
            let mail1 = try dir.write("bin/mail-a", FleetEndToEndTests.recordingMail.replacingOccurrences(of: "$MVPIPE_TEST_NOTIFIER", with: "a"), executable: true)
            let mail2 = try dir.write("bin/mail-b", FleetEndToEndTests.recordingMail.replacingOccurrences(of: "$MVPIPE_TEST_NOTIFIER", with: "b"), executable: true)
            for (index, relay) in FleetEndToEndTests.relays.enumerated() {
                let root = dir.file("archive-\(index)")
                let archive = try ArchiveBuilder(root: root)
                try archive.add(80, sender: "alice@example.org", on: FleetEndToEndTests.day)
                try archive.add(30 + index, sender: "bob@example.org", on: FleetEndToEndTests.day)
                let config = ConfigFile.archive(
                    root: root, state: "unused",
                    notifiers: [["type": "mailx", "name": "a", "command": mail1, "to": ["admin@example.org"]],
                                ["type": "mailx", "name": "b", "command": mail2, "to": ["admin@example.org"]]],
                    timezone: "UTC",
                    extra: ["host": relay, "state": ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"].merging(
                                lease.map { ["lease_seconds": $0] } ?? [:]) { _, new in new } as [String: Any],
                            "detectors": [["type": "hard-cap", "limit": 200]]])
                configs.append(try ConfigFile.write(config, to: dir.file("relay-\(index).json")))
            }
        }

        func run(_ index: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
            try Self.run(config: configs[index], url: url, arguments, environment: environment)
        }

        static func run(config: String, url: String, _ arguments: [String], environment: [String: String] = [:]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", config], environment: environment.merging(["MVPIPE_STATE_URL": url]) { _, new in new })
        }

        /// Relays 2 and 3 store their 80 each (160: under the cap), then relay 1 stores its 80, raises the alert and
        /// is killed (SIGKILL) inside its first delivery: notifier `a` has sent it, the state does not know.
        func killRelayOneWhileDelivering() throws {
            for index in [1, 2] {
                let result = try run(index, ["run", "--now", "2026-11-25T10:00"])
                #expect(result.status == 0, "relay \(index): \(result.stderr)")
            }
            let killed = try run(0, ["run", "--now", "2026-11-25T10:05"], environment: ["MVPIPE_TEST_KILL_AT": "delivered:1"])
            #expect(killed.signal == SIGKILL, "\(killed.status) \(killed.stderr)")
            #expect(sent("a").count == 1 && sent("b").isEmpty, "a: \(sent("a")), b: \(sent("b"))")
        }

        /// Who recorded delivering alice's alert through `notifier` (nil: not recorded), and who holds a claim on it.
        func delivery(_ notifier: String) throws -> (deliveredBy: String?, leasedTo: String?) {
            let session = try TestPostgres.session(url)
            let row = try session.rows("SELECT delivered_by, lease_relay FROM delivery WHERE notifier = \(notifier)").first!
            return try row.decode((String?, String?).self)
        }

        /// Runs `arguments` on every relay at once; the results in relay order.
        func runAll(_ arguments: [String]) -> [Swift.Result<CLIRunner.Result, any Error>] {
            let box = Results(count: configs.count)
            let configs = configs, url = url
            DispatchQueue.concurrentPerform(iterations: configs.count) { index in
                box.set(index, Swift.Result { try Self.run(config: configs[index], url: url, arguments) })
            }
            return box.values
        }

        func sent(_ notifier: String) -> [String] {
            ((try? String(contentsOfFile: dir.file("bin/sent-\(notifier).log"), encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
    }

    /// Results filled in from several threads.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Swift.Result<CLIRunner.Result, any Error>?]
        init(count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Swift.Result<CLIRunner.Result, any Error>) { lock.withLock { stored[index] = value } }
        var values: [Swift.Result<CLIRunner.Result, any Error>] { lock.withLock { stored.map { $0! } } }
    }

    /// 80 a day through each of three relays is 240, over `hard-cap` 200: the fleet raises one alert, whichever relay
    /// noticed, and each notifier delivers it once, however often the relays run at the same time. Bob (30 + 31 +
    /// 32) stays under. `counts` on any relay shows the fleet's sums.
    @Test func threeRelaysAlertOnceOnTheirSum() throws {
        let fleet = try Fleet()
        for round in 0..<3 {
            let now = "2026-11-25T1\(round):00"
            for (index, result) in fleet.runAll(["run", "--now", now]).enumerated() {
                let result = try result.get()
                #expect(result.status == 0, "round \(round), relay \(index): \(result.stdout) \(result.stderr)")
            }
        }
        // Once more one after the other, so every relay has seen the whole fleet's sums.
        for index in 0..<3 {
            let result = try fleet.run(index, ["run", "--now", "2026-11-25T14:00"])
            #expect(result.status == 0, "relay \(index): \(result.stderr)")
        }
        for notifier in ["a", "b"] {
            let sent = fleet.sent(notifier)
            #expect(sent.count == 1, "notifier \(notifier) sent: \(sent)")
            #expect(sent.first?.contains("alice@example.org") == true, "\(sent)")
            // The alert says which relays the mail went through, with their shares.
            #expect(sent.first?.contains("through relays: mx1.example.org 80 (33%), mx2.example.org 80 (33%), mx3.example.org 80 (33%)") == true, "\(sent)")
        }
        let session = try TestPostgres.session(fleet.url)
        let alerts = try session.rows("SELECT count(*) FROM alert WHERE \"user\" = 'alice@example.org'").first!.decode(Int64.self)
        #expect(alerts == 1)
        let relays = try session.rows("SELECT count(DISTINCT relay) FROM volume").first!.decode(Int64.self)
        #expect(relays == 3)
        for index in 0..<3 {
            let result = try fleet.run(index, ["counts", "--day", "2026-11-25", "--json", "--now", "2026-11-25T15:00"])
            #expect(result.status == 0, "\(result.stderr)")
            var got: [String: Int] = [:]
            for line in result.lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                got[object["user"] as! String] = object["messages"] as? Int
            }
            #expect(got == ["alice@example.org": 240, "bob@example.org": 93], "relay \(index)")
        }
    }

    /// A relay killed while delivering holds its claim until the lease (`lease_seconds`, 1 here) runs out; then
    /// another relay delivers the alert, once, and records it. The test waits on the database (the claim expired),
    /// not on a clock. The killed relay's own send is the one repeat a crash can cause (the peer accepted, the state
    /// never heard); nothing is sent a third time.
    @Test func aRelayKilledWhileDeliveringLeavesTheAlertToAnotherAfterTheLease() throws {
        let fleet = try Fleet(lease: 1)
        try fleet.killRelayOneWhileDelivering()
        #expect(try fleet.delivery("a") == (nil, "mx1.example.org"))
        let session = try TestPostgres.session(fleet.url)
        try Eventually.wait(for: "the killed relay's claim to expire") {
            try session.rows("SELECT lease_until < clock_timestamp() FROM delivery WHERE notifier = 'a'").first!.decode(Bool.self)
        }
        let other = try fleet.run(1, ["run", "--now", "2026-11-25T10:10"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(fleet.sent("a").count == 2 && fleet.sent("b").count == 1, "a: \(fleet.sent("a")), b: \(fleet.sent("b"))")
        #expect(try fleet.delivery("a") == ("mx2.example.org", nil))
        for index in 0..<3 {
            #expect(try fleet.run(index, ["run", "--now", "2026-11-25T10:15"]).status == 0)
        }
        #expect(fleet.sent("a").count == 2 && fleet.sent("b").count == 1, "a: \(fleet.sent("a")), b: \(fleet.sent("b"))")
    }

    /// While the killed relay's claim is live (an hour), other relays leave that delivery alone (they deliver the
    /// other notifier's); the killed relay itself takes its own claim up again on its next run.
    @Test func aLiveClaimIsLeftToTheRelayThatHoldsIt() throws {
        let fleet = try Fleet(lease: 3600)
        try fleet.killRelayOneWhileDelivering()
        for index in [1, 2] {
            let result = try fleet.run(index, ["run", "--now", "2026-11-25T10:10"])
            #expect(result.status == 0, "relay \(index): \(result.stderr)")
        }
        #expect(fleet.sent("a").count == 1 && fleet.sent("b").count == 1, "a: \(fleet.sent("a")), b: \(fleet.sent("b"))")
        #expect(try fleet.delivery("a") == (nil, "mx1.example.org"))
        let again = try fleet.run(0, ["run", "--now", "2026-11-25T10:15"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(fleet.sent("a").count == 2, "\(fleet.sent("a"))")
        #expect(try fleet.delivery("a") == ("mx1.example.org", nil))
    }

    /// Moving two single relays to the fleet: each relay's SQLite state is exported and imported into PostgreSQL
    /// under that relay's config (its `host`); the fleet then sums their history, the alert one relay raised joins
    /// the fleet's log (delivered: not sent again), and a second import of the same relay is refused unless
    /// `--replace`.
    @Test func stateImportTagsARelaysHistoryWithItsName() throws {
        let fleet = try Fleet()
        var exports: [String] = []
        for index in 0..<2 {
            // The relay as it was: the same config with a SQLite state, alerting on its own 200+.
            let root = fleet.dir.file("archive-\(index)")
            try ArchiveBuilder(root: root).add(150, sender: "carol@example.org", on: Day("2026-11-24")!)
            let single = try ConfigFile.write(ConfigFile.archive(
                root: root, state: fleet.dir.file("single-\(index).sqlite"), timezone: "UTC",
                extra: ["host": FleetEndToEndTests.relays[index], "detectors": [["type": "hard-cap", "limit": 200]]]),
                to: fleet.dir.file("single-\(index).json"))
            let ran = try CLIRunner.run(["run", "--config", single, "--now", "2026-11-25T10:00"])
            #expect(ran.status == 0, "\(ran.stderr)")
            let file = fleet.dir.file("export-\(index).jsonl")
            let exported = try CLIRunner.run(["state", "export", "--config", single, "--output", file])
            #expect(exported.status == 0, "\(exported.stderr)")
            exports.append(file)
        }
        for index in 0..<2 {
            let imported = try fleet.run(index, ["state", "import", "--input", exports[index]])
            #expect(imported.status == 0, "\(imported.stdout) \(imported.stderr)")
        }
        let again = try fleet.run(0, ["state", "import", "--input", exports[0]])
        #expect(again.status == 64, "\(again.stderr)")
        #expect(try fleet.run(0, ["state", "import", "--input", exports[0], "--replace"]).status == 0)
        let counts = try fleet.run(2, ["counts", "--day", "2026-11-24", "--json", "--now", "2026-11-25T10:05"])
        #expect(counts.status == 0, "\(counts.stderr)")
        var got: [String: Int] = [:]
        for line in counts.lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            got[object["user"] as! String] = object["messages"] as? Int
        }
        #expect(got == ["carol@example.org": 300], "\(counts.stdout)")
        let session = try TestPostgres.session(fleet.url)
        let relays = try session.rows("SELECT DISTINCT relay FROM volume WHERE day = '2026-11-24' ORDER BY relay").map { try $0.decode(String.self) }
        #expect(relays == Array(FleetEndToEndTests.relays.prefix(2)))
    }

    /// A second machine configured with a relay name the fleet already has is refused (exit 78, nothing stored),
    /// saying which machine runs that relay; `state adopt` on it hands the relay over (the relay moved).
    @Test func aSecondMachineWithTheSameRelayNameIsAConfigError() throws {
        let fleet = try Fleet()
        #expect(try fleet.run(0, ["run", "--now", "2026-11-25T10:00"]).status == 0)
        let other = ["MVPIPE_TEST_MACHINE": "other-machine"]
        let refused = try fleet.run(0, ["run", "--now", "2026-11-25T10:05"], environment: other)
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("on the machine"), "\(refused.stderr)")
        let adopted = try fleet.run(0, ["state", "adopt"], environment: other)
        #expect(adopted.status == 0, "\(adopted.stderr)")
        #expect(try fleet.run(0, ["run", "--now", "2026-11-25T10:10"], environment: other).status == 0)
        #expect(try fleet.run(0, ["run", "--now", "2026-11-25T10:15"]).status == 78)
    }

    /// The database down before a run: the run exits 75 ("state unreachable"), stores and sends nothing, and the
    /// run after it returns catches up exactly (the relay's checkpoints never moved ahead of the database).
    @Test func aRunWhileTheDatabaseIsDownCatchesUpWhenItReturns() throws {
        let fleet = try Fleet()
        var down = URLComponents(string: fleet.url)!
        down.port = try closedPort()
        for index in 0..<3 {
            let failed = try Fleet.run(config: fleet.configs[index], url: down.string!, ["run", "--now", "2026-11-25T10:00"])
            #expect(failed.status == 75, "\(failed.stderr)")
            #expect(failed.stderr.contains("state unreachable"), "\(failed.stderr)")
        }
        #expect(fleet.sent("a").isEmpty && fleet.sent("b").isEmpty)
        for index in 0..<3 {
            let result = try fleet.run(index, ["run", "--now", "2026-11-25T10:05"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(fleet.sent("a").count == 1 && fleet.sent("b").count == 1)
        let session = try TestPostgres.session(fleet.url)
        let alice = try session.rows("SELECT sum(messages)::bigint FROM volume WHERE \"user\" = 'alice@example.org'").first!.decode(Int64.self)
        #expect(alice == 240)
    }

    /// Two relays with the same `host` run one at a time (the run lock is per relay); different relays do not
    /// wait for each other: while relay 1's lock is held, relay 2 runs and relay 1 (a second config) is refused.
    @Test func theRunLockIsPerRelay() throws {
        let fleet = try Fleet()
        let store = try PostgresStateStore(url: Secret(fleet.url, origin: .environment("MVPIPE_STATE_URL")), name: "test",
                                           relay: FleetEndToEndTests.relays[0], access: .readWrite)
        let lock = try store.acquireRunLock(waiting: 0)
        defer { lock.release() }
        let other = try fleet.run(1, ["run", "--now", "2026-11-25T10:00", "--lock-timeout", "0"])
        #expect(other.status == 0, "\(other.stderr)")
        for wait in ["0", "1"] {
            // 0: one try; 1: waits a second for the lock (lock_timeout), which stays held.
            let same = try fleet.run(0, ["run", "--now", "2026-11-25T10:00", "--lock-timeout", wait])
            #expect(same.status == 75, "\(same.stderr)")
            #expect(same.stderr.contains("run lock"), "\(same.stderr)")
        }
    }
}
#endif
