import Foundation
import Pipeline
import PostgresNIO

/// Silences in the fleet state: one per user, honoured by every relay.
extension PostgresStateStore: SilenceStore {
    /// Schema step "fleet-v4: silences".
    static let silencesSchema = [
        """
        CREATE TABLE silence ("user" text PRIMARY KEY, until text NOT NULL, reason text NOT NULL,
            created_at double precision NOT NULL, relay text NOT NULL)
        """,
    ]

    public func addSilence(_ silence: Silence) throws {
        try transaction {
            _ = try session.execute("""
                INSERT INTO silence ("user", until, reason, created_at, relay)
                VALUES (\(silence.user), \(silence.until.description), \(silence.reason), \(silence.createdAt.timeIntervalSince1970), \(relay))
                ON CONFLICT ("user") DO UPDATE SET until = excluded.until, reason = excluded.reason,
                    created_at = excluded.created_at, relay = excluded.relay
                """)
        }
    }

    public func removeSilence(user: String) throws -> Bool {
        try transaction {
            try session.execute("DELETE FROM silence WHERE \"user\" = \(user)") > 0
        }
    }

    public func silences() throws -> [Silence] {
        try session.rows("SELECT \"user\", until, reason, created_at FROM silence ORDER BY \"user\"").compactMap { row in
            let (user, until, reason, created) = try row.decode((String, String, String, Double).self)
            guard let day = Day(until) else { return nil }
            return Silence(user: user, until: day, reason: reason, createdAt: Date(timeIntervalSince1970: created))
        }
    }
}
