import Foundation
import GRDB
import Pipeline

/// The state file's schema: GRDB migrations, recorded in the file's `grdb_migrations` table.
///
/// Migrations only add: every row of an older file survives the upgrade. A file that records a
/// migration this mvpipe does not know was written by a newer mvpipe and is refused unchanged.
extension SQLiteStateStore {
    /// The migrations in order, with the tables each creates (for checks of a damaged file).
    ///
    /// Never change or remove one that has shipped; append a new one instead. The schema version
    /// is the number of migrations applied.
    static let migrations: [(identifier: String, tables: [String])] = [
        ("v1", ["volume", "source_day", "source_checkpoint", "alert", "delivery"]),
        ("v2: time buckets", ["bucket"]),
        ("v3: owner", ["meta"]),
        ("v4: holds", ["hold"]),
        ("v5: evidence", ["client_ip"]),
        ("v6: silences", ["silence"]),
    ]

    /// The schema version this mvpipe writes (the number of migrations it knows).
    public static var schemaVersion: Int { migrations.count }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrations[0].identifier) { db in
            try db.execute(sql: """
                CREATE TABLE volume (
                    source TEXT NOT NULL, day TEXT NOT NULL, user TEXT NOT NULL,
                    messages INTEGER NOT NULL, recipients INTEGER,
                    PRIMARY KEY (source, day, user)) WITHOUT ROWID;
                CREATE INDEX volume_day ON volume(day, user);
                CREATE TABLE source_day (
                    source TEXT NOT NULL, day TEXT NOT NULL, final INTEGER NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (source, day)) WITHOUT ROWID;
                CREATE TABLE source_checkpoint (source TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL, updated_at REAL NOT NULL);
                CREATE TABLE alert (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL, user TEXT NOT NULL,
                    messages INTEGER NOT NULL, sequence INTEGER NOT NULL, payload TEXT NOT NULL, raised_at REAL NOT NULL);
                CREATE INDEX alert_day_user ON alert(day, user);
                CREATE TABLE delivery (
                    alert_id INTEGER NOT NULL REFERENCES alert(id) ON DELETE CASCADE, notifier TEXT NOT NULL,
                    delivered_at REAL, superseded INTEGER NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                    PRIMARY KEY (alert_id, notifier));
                """)
        }
        migrator.registerMigration(migrations[1].identifier) { db in
            try db.execute(sql: """
                CREATE TABLE bucket (
                    source TEXT NOT NULL, user TEXT NOT NULL, start INTEGER NOT NULL, messages INTEGER NOT NULL,
                    PRIMARY KEY (source, user, start)) WITHOUT ROWID;
                CREATE INDEX bucket_start ON bucket(start);
                """)
        }
        migrator.registerMigration(migrations[2].identifier) { db in
            // Facts about the state itself, such as which config owns it (see StateOwner).
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration(migrations[3].identifier) { db in
            // Containment: accounts a postfix-hold notifier put on hold, and when they were released.
            try db.execute(sql: """
                CREATE TABLE hold (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, key TEXT NOT NULL, user TEXT NOT NULL,
                    since REAL NOT NULL, alert_id INTEGER NOT NULL, day TEXT NOT NULL, messages INTEGER NOT NULL,
                    relay TEXT NOT NULL, released_at REAL, released_by TEXT);
                CREATE UNIQUE INDEX hold_in_force ON hold(action, key) WHERE released_at IS NULL;
                """)
        }
        migrator.registerMigration(migrations[4].identifier, migrate: evidenceMigration)
        migrator.registerMigration(migrations[5].identifier, migrate: silencesMigration)
        return migrator
    }()

    /// Reads what the file's schema is and refuses a file mvpipe must not touch: another
    /// application's database, one a newer mvpipe wrote, or one missing tables its migrations made.
    static func inspectSchema(_ db: Database, path: String) throws -> StateSchemaStatus {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
            """)
        let known = migrations.map(\.identifier)
        guard !tables.isEmpty else {
            return StateSchemaStatus(applied: [], unknown: [], current: known.count)
        }
        let foreign = StateError.unusable("cannot use the state file \(path): it is a SQLite database of another application (tables: \(tables.prefix(8).map { UntrustedText.display($0, limit: 40) }.joined(separator: ", "))), not mvpipe state. It was left untouched; point \"state\" in the config at mvpipe's own file")
        guard tables.contains("grdb_migrations") else { throw foreign }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        if applied.isEmpty && tables == ["grdb_migrations"] {
            return StateSchemaStatus(applied: [], unknown: [], current: known.count)
        }
        guard applied.contains(known[0]) else { throw foreign }
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw StateError.unusable("cannot use the state file \(path): a newer mvpipe wrote it (schema \(applied.count); migrations this mvpipe does not know: \(unknown.map { "'\(UntrustedText.display($0, limit: 60))'" }.joined(separator: ", "))), and this mvpipe understands schema \(known.count). It was left untouched; upgrade mvpipe, or restore a backup made before the upgrade")
        }
        let appliedInOrder = known.filter(applied.contains)
        guard appliedInOrder == Array(known.prefix(appliedInOrder.count)) else {
            throw StateError.unusable("cannot use the state file \(path): its recorded migrations (\(appliedInOrder.joined(separator: ", "))) skip one, so its schema is not one mvpipe made. It was left untouched")
        }
        let expected = migrations.prefix(appliedInOrder.count).flatMap(\.tables)
        let missing = expected.filter { !tables.contains($0) }
        guard missing.isEmpty else {
            throw StateError.unusable("cannot use the state file \(path): schema \(appliedInOrder.count) but the table(s) \(missing.joined(separator: ", ")) are missing (dropped by hand?). It was left untouched; restore it from a backup")
        }
        return StateSchemaStatus(applied: appliedInOrder, unknown: [], current: known.count)
    }
}
