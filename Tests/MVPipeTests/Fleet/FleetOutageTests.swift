#if canImport(PostgresStore)  // not in builds made with MVPIPE_WITHOUT_POSTGRES (CI's sanitized runs)
import Foundation
import Pipeline
import Testing

/// The fleet's database going away in the middle of a run, through the CLI: the relays read Postfix logs (a
/// reading position per relay), their state is PostgreSQL, and one relay reaches it through a ``TCPProxy`` the test
/// closes while that relay is paused (``TestPausePoint``) between reading its log and storing what it read.
@Suite(.enabled(if: TestPostgres.enabled, "needs MVPIPE_TEST_POSTGRES_URL (scripts/test-postgres start)"))
struct FleetOutageTests {
    static let relays = FleetEndToEndTests.relays

    /// Three relays, each with its own `mail-N.log`, on one new database; `hard-cap` 200, two recording notifiers.
    struct LogFleet {
        let dir: TemporaryDirectory
        let url: String
        var configs: [String] = []

        init() throws {
            dir = try TemporaryDirectory()
            url = try TestPostgres.newDatabase()
            var notifiers: [[String: Any]] = []
            for name in ["a", "b"] {
                let mail = try dir.write("bin/mail-\(name)", FleetEndToEndTests.recordingMail.replacingOccurrences(of: "$MVPIPE_TEST_NOTIFIER", with: name), executable: true)
                notifiers.append(["type": "mailx", "name": name, "command": mail, "to": ["admin@example.org"]])
            }
            for (index, relay) in FleetOutageTests.relays.enumerated() {
                let config = ConfigFile.archive(
                    root: dir.file("unused"), state: "unused", notifiers: notifiers, timezone: "UTC",
                    extra: ["host": relay,
                            "state": ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"],
                            "sources": [["type": "postfix-log", "paths": [dir.file("mail-\(index).log")]]],
                            "detectors": [["type": "hard-cap", "limit": 200]]])
                configs.append(try ConfigFile.write(config, to: dir.file("relay-\(index).json")))
                _ = try dir.write("mail-\(index).log", "")
            }
        }

        /// Appends `count` submissions by `user` to relay `index`'s log, numbered from `first` (queue ids).
        func append(_ index: Int, _ count: Int, user: String, first: Int) throws {
            try append(index, text: (first..<first + count).map { PostfixLines.message($0, user: user, at: $0 * 2) }.joined())
        }

        /// Appends `text` to relay `index`'s log.
        func append(_ index: Int, text: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: dir.file("mail-\(index).log")))
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        }

        func run(_ index: Int, _ arguments: [String], url: String? = nil, environment: [String: String] = [:]) throws -> CLIRunner.Result {
            try CLIRunner.run(arguments + ["--config", configs[index]],
                              environment: environment.merging(["MVPIPE_STATE_URL": url ?? self.url]) { _, new in new })
        }

        func sent(_ notifier: String) -> [String] {
            ((try? String(contentsOfFile: dir.file("bin/sent-\(notifier).log"), encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }

        /// What relay `relay` has stored: its reading position (hex) and its messages per user.
        func stored(_ relay: String) throws -> (checkpoint: [String], messages: [String: Int]) {
            let session = try TestPostgres.session(url)
            let checkpoint = try session.rows("SELECT encode(data, 'hex') FROM source_checkpoint WHERE relay = \(relay) ORDER BY source")
                .map { try $0.decode(String.self) }
            var messages: [String: Int] = [:]
            for row in try session.rows("SELECT \"user\", sum(messages)::bigint FROM volume WHERE relay = \(relay) GROUP BY \"user\"") {
                let (user, count) = try row.decode((String, Int64).self)
                messages[user] = Int(count)
            }
            return (checkpoint, messages)
        }

        func alerts() throws -> Int64 {
            try TestPostgres.session(url).rows("SELECT count(*) FROM alert").first!.decode(Int64.self)
        }
    }

    /// The database goes away while relay 1 has read 60 new lines of alice's and not stored them: the run exits 75
    /// ("state unreachable"), relay 1's counts and reading position are those of its run before, no alert is raised or
    /// sent. Once the database is back, relay 1's next run stores what it missed: the fleet counts equal one clean
    /// pass over the three logs (alice 20 + 60 + 80 + 80 = 240, over the cap) and the alert goes out once.
    @Test func theDatabaseStoppedInTheMiddleOfARunStoresNothingAndTheNextRunCatchesUp() throws {
        let fleet = try LogFleet()
        try fleet.append(0, 20, user: "alice@example.org", first: 1)
        for index in 0..<3 {
            try fleet.append(index, 30 + index, user: "bob@example.org", first: 1000)
        }
        for index in [1, 2] {
            try fleet.append(index, 80, user: "alice@example.org", first: 1)
        }
        for index in 0..<3 {
            let result = try fleet.run(index, ["run", "--now", "2026-11-20T18:00"])
            #expect(result.status == 0, "relay \(index): \(result.stderr)")
        }
        let before = try fleet.stored(Self.relays[0])
        #expect(before.messages == ["alice@example.org": 20, "bob@example.org": 30])
        #expect(before.checkpoint.count == 1, "\(before.checkpoint)")
        #expect(try fleet.alerts() == 0)

        // 60 more of alice's through relay 1 (fleet: 240); relay 1 reads them and pauses before storing them.
        try fleet.append(0, 60, user: "alice@example.org", first: 100)
        var real = try #require(URLComponents(string: fleet.url))
        let proxy = try TCPProxy(to: try #require(real.port))
        real.port = proxy.port
        let pause = fleet.dir.file("pause")
        let paused = try BackgroundRun(
            ["run", "--now", "2026-11-20T18:05", "--config", fleet.configs[0]],
            environment: ["MVPIPE_STATE_URL": real.string!, "MVPIPE_TEST_PAUSE_AT": "store:1", "MVPIPE_TEST_PAUSE_FILE": pause])
        try Eventually.wait(for: "relay 1 to pause before storing", from: paused) {
            FileManager.default.fileExists(atPath: pause + ".paused")
        }
        proxy.close()
        FileManager.default.createFile(atPath: pause + ".release", contents: nil)
        let failed = paused.wait()
        #expect(failed.status == 75, "\(failed.stderr)")
        #expect(failed.stderr.contains("state unreachable"), "\(failed.stderr)")

        let after = try fleet.stored(Self.relays[0])
        #expect(after.checkpoint == before.checkpoint, "the reading position moved ahead of the database")
        #expect(after.messages == before.messages)
        #expect(try fleet.alerts() == 0)
        #expect(fleet.sent("a").isEmpty && fleet.sent("b").isEmpty, "a: \(fleet.sent("a")), b: \(fleet.sent("b"))")

        // The database is back (relay 1 reaches it directly): its next run catches up exactly.
        let caughtUp = try fleet.run(0, ["run", "--now", "2026-11-20T18:10"])
        #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
        #expect(try fleet.stored(Self.relays[0]).messages == ["alice@example.org": 80, "bob@example.org": 30])
        #expect(try fleet.stored(Self.relays[0]).checkpoint != before.checkpoint)
        for index in 0..<3 {
            #expect(try fleet.run(index, ["run", "--now", "2026-11-20T18:15"]).status == 0)
        }
        #expect(fleet.sent("a").count == 1 && fleet.sent("b").count == 1, "a: \(fleet.sent("a")), b: \(fleet.sent("b"))")
        #expect(fleet.sent("a").first?.contains("alice@example.org") == true)
        #expect(try fleet.alerts() == 1)
        let counts = try fleet.run(2, ["counts", "--day", "2026-11-20", "--json", "--now", "2026-11-20T18:20"])
        #expect(counts.status == 0, "\(counts.stderr)")
        var got: [String: Int] = [:]
        for line in counts.lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            got[object["user"] as! String] = object["messages"] as? Int
        }
        #expect(got == ["alice@example.org": 240, "bob@example.org": 93], "\(counts.stdout)")
    }
}
#endif
