import Foundation
import GRDB
import Testing
import Pipeline
import SQLiteStore

/// A damaged or foreign state file is refused (exit 74) with a clear reason and left as it was.
@Suite struct StateFileTests {
    struct Setup {
        let dir: TemporaryDirectory
        let path: String
        let config: String

        init() throws {
            dir = try TemporaryDirectory()
            path = dir.file("state.sqlite")
            config = try StateFixture.config(in: dir, state: path)
        }

        func run(dryRun: Bool = false) throws -> CLIRunner.Result {
            try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T10:00"] + (dryRun ? ["--dry-run"] : []))
        }

        /// Runs (and dry-runs) and expects a refusal that names `reason`, with the file unchanged.
        func expectRefused(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let original = StateFixture.bytes(path)
            for dry in [false, true] {
                let result = try run(dryRun: dry)
                #expect(result.status == 74, "dry run \(dry): \(result.stderr)", sourceLocation: sourceLocation)
                #expect(result.stderr.contains(reason), "dry run \(dry): \(result.stderr)", sourceLocation: sourceLocation)
                #expect(result.stderr.contains(path), sourceLocation: sourceLocation)
            }
            #expect(StateFixture.bytes(path) == original, "the refused file was modified", sourceLocation: sourceLocation)
        }
    }

    @Test func aZeroLengthFileIsRefusedNotTakenForANewDatabase() throws {
        let s = try Setup()
        #expect(FileManager.default.createFile(atPath: s.path, contents: Data()))
        try s.expectRefused("it is empty (0 bytes)")
        #expect(StateFixture.bytes(s.path)?.count == 0)
    }

    @Test func aTruncatedFileIsRefused() throws {
        let s = try Setup()
        try StateFixture.build(at: s.path)
        let whole = try #require(StateFixture.bytes(s.path))
        #expect(whole.count > 8192)
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: s.path))
        try s.expectRefused("it is truncated")
    }

    @Test func aFileCutInsideTheHeaderIsRefused() throws {
        let s = try Setup()
        try StateFixture.build(at: s.path)
        try StateFixture.bytes(s.path)!.prefix(60).write(to: URL(fileURLWithPath: s.path))
        try s.expectRefused("only 60 bytes long")
    }

    @Test func garbageIsRefused() throws {
        let s = try Setup()
        try Data(String(repeating: "not a database ", count: 100).utf8).write(to: URL(fileURLWithPath: s.path))
        try s.expectRefused("it is not a SQLite database")
    }

    @Test func anotherApplicationsDatabaseIsRefused() throws {
        let s = try Setup()
        let queue = try DatabaseQueue(path: s.path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE contacts (name TEXT, phone TEXT); INSERT INTO contacts VALUES ('x', '1')")
        }
        try queue.close()
        try s.expectRefused("a SQLite database of another application (tables: contacts)")
    }

    @Test func anotherGRDBApplicationsDatabaseIsRefused() throws {
        let s = try Setup()
        let queue = try DatabaseQueue(path: s.path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("createPlayers") { db in try db.execute(sql: "CREATE TABLE player (id INTEGER PRIMARY KEY)") }
        try migrator.migrate(queue)
        try queue.close()
        try s.expectRefused("another application (tables: grdb_migrations, player)")
    }

    @Test func aFileMissingATableIsRefused() throws {
        let s = try Setup()
        try StateFixture.build(at: s.path)
        let queue = try DatabaseQueue(path: s.path)
        try queue.write { db in try db.execute(sql: "DROP TABLE bucket") }
        try queue.close()
        try s.expectRefused("the table(s) bucket are missing")
    }

    @Test func aDirectoryInPlaceOfTheFileIsRefused() throws {
        let s = try Setup()
        try FileManager.default.createDirectory(atPath: s.path, withIntermediateDirectories: false)
        for dry in [false, true] {
            let result = try s.run(dryRun: dry)
            #expect(result.status == 74)
            #expect(result.stderr.contains("it is not a regular file"))
        }
    }

    @Test func aDanglingSymlinkIsRefusedNotFollowedIntoANewFile() throws {
        let s = try Setup()
        try FileManager.default.createSymbolicLink(atPath: s.path, withDestinationPath: s.dir.file("gone/state.sqlite"))
        let result = try s.run()
        #expect(result.status == 74)
        #expect(result.stderr.contains("symbolic link to something that does not exist"))
        #expect(!FileManager.default.fileExists(atPath: s.dir.file("gone")))
    }

    /// Root reads files whatever their mode, and the tests usually run as root (containers, CI):
    /// the unreadable-file case then cannot be produced with chmod, so it only runs as another user.
    @Test(.enabled(if: getuid() != 0, "root reads a chmod 000 file anyway; the directory test covers the unreadable path as root"))
    func anUnreadableFileIsRefused() throws {
        let s = try Setup()
        try StateFixture.build(at: s.path)
        chmod(s.path, 0)
        defer { chmod(s.path, 0o644) }
        let result = try s.run()
        #expect(result.status == 74)
        #expect(result.stderr.contains("cannot read it: Permission denied"))
    }

    @Test func aNewFileIsCreatedWhole() throws {
        let s = try Setup()
        let result = try s.run()
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.hasPrefix("state.sqlite") }.sorted()
        #expect(names == ["state.sqlite", "state.sqlite.lock"])
        let store = try SQLiteStateStore(readingOnly: s.path)
        #expect(store.openedSchema.version == SQLiteStateStore.schemaVersion)
    }
}
