import Foundation
import GRDB
import Testing
@testable import Pipeline
@testable import SQLiteStore

/// Upgrades from every earlier schema keep every row; a newer schema is refused unchanged.
@Suite struct StateMigrationTests {
    /// Each schema before the current one, by its index in ``SQLiteStateStore/migrations``.
    static let earlier = Array(SQLiteStateStore.migrations.indices.dropLast())

    @Test(arguments: earlier)
    func upgradeFromAnEarlierSchemaKeepsEveryRow(schemaIndex: Int) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("state.sqlite")
        try StateFixture.build(at: path, schemaIndex: schemaIndex)
        let before = try StateFixture.snapshot(path, schemaIndex: schemaIndex)
        #expect(before.values.allSatisfy { !$0.isEmpty })

        let store = try SQLiteStateStore(path: path)
        #expect(store.openedSchema.version == schemaIndex + 1)
        #expect(store.openedSchema.summary.contains("upgrades it to \(SQLiteStateStore.schemaVersion)"))

        let after = try StateFixture.snapshot(path)
        for (table, rows) in before {
            #expect(after[table] == rows, "table \(table) changed in the upgrade")
        }
        // Tables of later migrations exist, empty, with their columns, and work.
        let added = SQLiteStateStore.migrations.dropFirst(schemaIndex + 1).flatMap(\.tables)
        for table in added { #expect(after[table] == [], "new table \(table)") }
        let queue = try DatabaseQueue(path: path)
        let migrations = try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(Set(migrations) == Set(SQLiteStateStore.migrations.map(\.identifier)))
        if added.contains("bucket") {
            let columns = try queue.read { db in try db.columns(in: "bucket").map(\.name) }
            #expect(columns == ["source", "user", "start", "messages"])
        }
        try queue.close()

        // The upgraded store answers from the old rows.
        let volumes = try store.volumes(on: StateFixture.day)
        #expect(volumes.count == StateFixture.users.count)
        #expect(volumes["evil\r\nBcc: x@evil.test"]?.messages == 11)
        #expect(try store.latestAlert(user: "caf\\xc3-broken", day: StateFixture.day.adding(days: -2))?.messages == 202)
        #expect(try store.pendingAlerts(notifier: "mail", since: StateFixture.day.adding(days: -7)).map(\.user)
            == [StateFixture.users[5], StateFixture.users[1], StateFixture.users[3]])
        let start = Date(timeIntervalSince1970: 1_764_028_800)
        let report = VolumeReport(mode: .increment, counts: [:], buckets: ["bob": [1_764_028_800: 4]])
        try store.apply(report, source: "maillog", at: start)
        #expect(try store.buckets(users: ["bob"], from: start, to: start.addingTimeInterval(300)) == ["bob": [1_764_028_800: 4]])
        // An upgraded file has no owner yet; the first config that writes records itself.
        #expect(try store.owner() == nil)
        let owner = StateOwner(host: "mx1", config: "/etc/mvpipe/pipeline.json")
        #expect(try store.recordOwner(owner, ifCurrent: nil))
        #expect(try store.owner() == owner)
        #expect(try !store.recordOwner(StateOwner(host: "mx2", config: "/etc/mvpipe/other.json"), ifCurrent: nil))
    }

    @Test func aFreshFileGetsTheCurrentSchemaAndNoLeftovers() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStateStore(path: dir.file("state.sqlite"))
        #expect(store.openedSchema.version == SQLiteStateStore.schemaVersion)
        #expect(store.openedSchema.summary == "schema \(SQLiteStateStore.schemaVersion) (current)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names == ["state.sqlite"])
    }

    @Test func versionOutputNamesTheSchema() throws {
        let result = try CLIRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("state schema \(SQLiteStateStore.schemaVersion)"))
    }

    @Test func aStateFileFromANewerMvpipeIsRefusedUnchanged() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("state.sqlite")
        try StateFixture.build(at: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9: from the future')")
            try db.execute(sql: "CREATE TABLE future (x TEXT)")
        }
        try queue.close()
        let original = StateFixture.bytes(path)
        let config = try StateFixture.config(in: dir, state: path)
        for arguments in [["run", "--config", config, "--now", "2026-11-25T10:00"],
                          ["run", "--config", config, "--now", "2026-11-25T10:00", "--dry-run"]] {
            let result = try CLIRunner.run(arguments)
            #expect(result.status == 74, "\(arguments)")
            #expect(result.stderr.contains("a newer mvpipe wrote it"))
            #expect(result.stderr.contains("'v9: from the future'"))
            #expect(result.stderr.contains("left untouched"))
        }
        #expect(StateFixture.bytes(path) == original)
    }
}
