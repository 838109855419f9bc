import Foundation
import GRDB
import Testing
import Pipeline
import SQLiteStore

/// `mvpipe state check`: integrity, foreign keys and mvpipe's invariants; exit 0 when fine, 74 when not.
@Suite struct StateCheckTests {
    struct Setup {
        let dir: TemporaryDirectory
        let path: String
        let config: String

        init(schemaIndex: Int? = nil, notifier: String = "mail") throws {
            dir = try TemporaryDirectory()
            path = dir.file("state.sqlite")
            config = try StateFixture.config(in: dir, state: path, notifiers: [["type": "console", "name": notifier]])
            if let schemaIndex { try StateFixture.build(at: path, schemaIndex: schemaIndex) } else { try StateFixture.build(at: path) }
        }

        func check() throws -> CLIRunner.Result {
            try CLIRunner.run(["state", "check", "--config", config, "--now", "2026-11-25T10:00"])
        }

        /// Changes the file behind mvpipe's back (foreign keys off, as another tool would).
        func tamper(_ sql: String) throws {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = false
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in try db.execute(sql: sql) }
            try queue.close()
        }
    }

    @Test func aHealthyStateIsFine() throws {
        let s = try Setup()
        let original = StateFixture.bytes(s.path)
        let result = try s.check()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("schema \(SQLiteStateStore.schemaVersion) (current)"))
        #expect(result.stdout.contains("integrity_check: ok"))
        #expect(result.stdout.contains("foreign keys: ok"))
        #expect(result.stdout.contains("rows: volume 120, source_day 20, source_checkpoint 1, bucket 72, alert 6, delivery 6"))
        #expect(result.stdout.contains("alerts: 6, 3 waiting for delivery"))
        #expect(result.stdout.contains("checkpoint of source 'maillog': 1007 bytes"))
        #expect(result.stdout.hasSuffix("state is fine\n"))
        #expect(!result.stdout.contains("problem:"))
        #expect(StateFixture.bytes(s.path) == original, "check wrote to the file")
    }

    @Test(arguments: [
        ("UPDATE volume SET messages = -3 WHERE day = '2026-11-20' AND user = 'alice@example.org'", "1 volume row(s) whose count is negative"),
        ("UPDATE volume SET messages = 'many' WHERE day = '2026-11-25' AND user = 'alice@example.org'", "1 volume row(s) whose count is negative or not a whole number"),
        ("UPDATE bucket SET messages = -1 WHERE start = 1764028800", "6 bucket row(s)"),
        ("UPDATE source_day SET day = '2026-02-30' WHERE day = '2026-11-25'", "source_day.day holds 1 value(s) that are not dates: '2026-02-30'"),
        ("UPDATE volume SET day = 'yesterday' WHERE day = '2026-11-24'", "volume.day holds 1 value(s) that are not dates: 'yesterday'"),
        ("DELETE FROM delivery WHERE alert_id = 2", "1 alert(s) with no delivery record"),
        ("DELETE FROM source_day WHERE day = '2026-11-20'", "1 day(s) of a source with counts but no source_day row"),
        ("UPDATE alert SET payload = '{}' WHERE id = 3", "1 alert(s) whose payload is not the alert of its row (ids 3)"),
        ("UPDATE alert SET user = 'mallory' WHERE id = 4", "(ids 4)"),
        ("UPDATE sqlite_sequence SET seq = 2 WHERE name = 'alert'", "the alert id sequence (2) is behind the highest alert id (6)"),
        ("INSERT INTO delivery VALUES (99, 'mail', NULL, 0, 0, NULL)", "foreign keys: 1 row(s) of delivery refer to rows that do not exist"),
        ("UPDATE delivery SET attempts = -1 WHERE alert_id = 1", "delivery record(s) with negative attempts"),
    ])
    func aBrokenInvariantIsAProblem(sql: String, problem: String) throws {
        let s = try Setup()
        try s.tamper(sql)
        let result = try s.check()
        #expect(result.status == 74, "\(sql): \(result.stdout)")
        #expect(result.stdout.contains("problem: "), "\(sql)")
        #expect(result.stdout.contains(problem), "\(sql): \(result.stdout)")
        #expect(result.stdout.contains("state is damaged"))
        #expect(result.stderr.contains("state check found"))
    }

    @Test func damagedPagesFailTheIntegrityCheck() throws {
        let s = try Setup()
        let queue = try DatabaseQueue(path: s.path)
        let root = try queue.read { db in try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'bucket'") } ?? 0
        try queue.close()
        var bytes = try #require(StateFixture.bytes(s.path))
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        #expect(root > 2 && bytes.count >= pageSize * root)
        // Scribble over the bucket table's root page (after its header), keeping the file's size.
        for i in (pageSize * (root - 1) + 12)..<(pageSize * root) { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try bytes.write(to: URL(fileURLWithPath: s.path))
        let result = try s.check()
        #expect(result.status == 74, "\(result.stdout)")
        #expect(result.stdout.contains("problem: "))
        #expect(!result.stdout.contains("integrity_check: ok"))
    }

    @Test func anOlderSchemaIsReportedNotUpgraded() throws {
        let s = try Setup(schemaIndex: 0)
        let original = StateFixture.bytes(s.path)
        let result = try s.check()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("schema 1 (the next run upgrades it to \(SQLiteStateStore.schemaVersion))"))
        #expect(result.stdout.contains("rows: volume 120, source_day 20, source_checkpoint 1, alert 6, delivery 6\n"))
        #expect(StateFixture.bytes(s.path) == original)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let s = try Setup()
        try s.tamper("INSERT INTO grdb_migrations VALUES ('v3: later')")
        let result = try s.check()
        #expect(result.status == 74)
        #expect(result.stderr.contains("a newer mvpipe wrote it"))
    }

    @Test func oddButHarmlessFindingsAreWarnings() throws {
        let s = try Setup(notifier: "ops")
        let result = try s.check()
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("warning: notifier 'ops' has no delivery record for 6 alert(s) of the retry window"))
        #expect(result.stdout.contains("warning: 3 undelivered alert(s) are queued for notifier 'mail', which the config does not have"))
        #expect(result.stdout.contains("warning: a checkpoint is kept for source 'maillog', which the config does not have"))
        #expect(result.stdout.contains("state is fine"))
    }

    @Test func aMissingStateIsAnErrorAndStaysMissing() throws {
        let dir = try TemporaryDirectory()
        let config = try StateFixture.config(in: dir, state: dir.file("state.sqlite"))
        let result = try CLIRunner.run(["state", "check", "--config", config])
        #expect(result.status == 74)
        #expect(result.stderr.contains("there is no state file at"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")))
    }
}
