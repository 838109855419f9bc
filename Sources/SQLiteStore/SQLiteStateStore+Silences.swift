import Foundation
import GRDB
import Pipeline

/// Silences (table `silence`, one per user).
extension SQLiteStateStore: SilenceStore {
    /// Migration "v6: silences".
    static func silencesMigration(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE silence (
                user TEXT PRIMARY KEY NOT NULL, until TEXT NOT NULL, reason TEXT NOT NULL, created_at REAL NOT NULL
            ) WITHOUT ROWID
            """)
    }

    public func addSilence(_ silence: Silence) throws {
        try access {
            try commit { db in
                try db.execute(sql: """
                    INSERT INTO silence (user, until, reason, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user) DO UPDATE SET until = excluded.until, reason = excluded.reason, created_at = excluded.created_at
                    """, arguments: [silence.user, silence.until.description, silence.reason, silence.createdAt.timeIntervalSince1970])
            }
        }
    }

    public func removeSilence(user: String) throws -> Bool {
        try access {
            try commit { db in
                try db.execute(sql: "DELETE FROM silence WHERE user = ?", arguments: [user])
                return db.changesCount > 0
            }
        }
    }

    public func silences() throws -> [Silence] {
        try access {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT user, until, reason, created_at FROM silence ORDER BY user").compactMap { row in
                    guard let until = Day(row["until"] as String) else { return nil }
                    return Silence(user: row["user"], until: until, reason: row["reason"],
                                   createdAt: Date(timeIntervalSince1970: row["created_at"]))
                }
            }
        }
    }
}
