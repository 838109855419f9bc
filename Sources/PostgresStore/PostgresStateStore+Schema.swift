import Pipeline
import PostgresNIO

/// The fleet schema, created and upgraded under its own advisory lock, so relays starting at once on an empty
/// database do not race.
extension PostgresStateStore {
    /// The schema steps, in order; each runs once, in one transaction, recorded in `mvpipe_schema`.
    static let migrations: [(name: String, sql: [String])] = [
        ("fleet-v1", [
            """
            CREATE TABLE relay_owner (relay text PRIMARY KEY, host text NOT NULL, config text NOT NULL, machine text NOT NULL)
            """,
            """
            CREATE TABLE volume (relay text NOT NULL, source text NOT NULL, day text NOT NULL, "user" text NOT NULL,
                messages bigint NOT NULL, recipients bigint, PRIMARY KEY (relay, source, day, "user"))
            """,
            "CREATE INDEX volume_day_user ON volume (day, \"user\")",
            """
            CREATE TABLE bucket (relay text NOT NULL, source text NOT NULL, "user" text NOT NULL, start bigint NOT NULL,
                messages bigint NOT NULL, PRIMARY KEY (relay, source, "user", start))
            """,
            "CREATE INDEX bucket_start_user ON bucket (start, \"user\")",
            """
            CREATE TABLE source_day (relay text NOT NULL, source text NOT NULL, day text NOT NULL, final boolean NOT NULL,
                updated_at double precision NOT NULL, PRIMARY KEY (relay, source, day))
            """,
            """
            CREATE TABLE source_checkpoint (relay text NOT NULL, source text NOT NULL, data bytea NOT NULL,
                updated_at double precision NOT NULL, PRIMARY KEY (relay, source))
            """,
            """
            CREATE TABLE alert (id bigserial PRIMARY KEY, day text NOT NULL, "user" text NOT NULL, messages bigint NOT NULL,
                sequence integer NOT NULL, payload text NOT NULL, raised_at double precision NOT NULL, relay text NOT NULL,
                UNIQUE (day, "user", sequence))
            """,
            """
            CREATE TABLE delivery (alert_id bigint NOT NULL REFERENCES alert (id) ON DELETE CASCADE, notifier text NOT NULL,
                delivered_at double precision, delivered_by text, attempts integer NOT NULL DEFAULT 0, last_error text,
                superseded boolean NOT NULL DEFAULT false, lease_until timestamptz, lease_relay text,
                PRIMARY KEY (alert_id, notifier))
            """,
        ]),
        ("fleet-v2: holds", [
            """
            CREATE TABLE hold (id bigserial PRIMARY KEY, action text NOT NULL, key text NOT NULL, "user" text NOT NULL,
                since double precision NOT NULL, alert_id bigint NOT NULL, day text NOT NULL, messages bigint NOT NULL,
                relay text NOT NULL, released_at double precision, released_by text)
            """,
            "CREATE UNIQUE INDEX hold_in_force ON hold (action, key) WHERE released_at IS NULL",
        ]),
        ("fleet-v3: evidence", evidenceSchema),
        ("fleet-v4: silences", silencesSchema),
    ]

    /// The schema version this build writes.
    public static var schemaVersion: Int { migrations.count }

    /// Advisory lock keys: (namespace, key) pairs of `pg_advisory_lock(int, int)`.
    static let schemaLockKey: Int32 = 0x6d76_7031 // "mvp1"

    static func readSchema(_ session: PostgresSession) throws -> StateSchemaStatus {
        let exists = try session.rows("SELECT to_regclass('mvpipe_schema') IS NOT NULL").first?.decode(Bool.self) ?? false
        guard exists else { return StateSchemaStatus(applied: [], unknown: [], current: schemaVersion) }
        let names = try session.rows("SELECT name FROM mvpipe_schema ORDER BY version").map { try $0.decode(String.self) }
        let known = Set(migrations.map(\.name))
        return StateSchemaStatus(applied: names.filter(known.contains), unknown: names.filter { !known.contains($0) },
                                 current: schemaVersion)
    }

    /// Applies the missing steps, each in a transaction holding the schema lock (in a scratch store: savepoints).
    static func migrate(_ session: PostgresSession, inTransaction: Bool) throws {
        try session.execute(inTransaction ? "SAVEPOINT migrate" : "BEGIN")
        do {
            try session.execute("SELECT pg_advisory_xact_lock(\(schemaLockKey), 0)")
            try session.execute("""
                CREATE TABLE IF NOT EXISTS mvpipe_schema (version integer PRIMARY KEY, name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try session.rows("SELECT name FROM mvpipe_schema").map { try $0.decode(String.self) })
            let known = Set(migrations.map(\.name))
            if !applied.subtracting(known).isEmpty {
                throw StateError.unusable("the state in \(session.name) has schema steps this mvpipe does not know (\(applied.subtracting(known).sorted().joined(separator: ", "))): a newer mvpipe wrote it; upgrade mvpipe on this relay")
            }
            for (index, step) in migrations.enumerated() where !applied.contains(step.name) {
                for statement in step.sql { try session.execute(PostgresQuery(unsafeSQL: statement)) }
                try session.execute("INSERT INTO mvpipe_schema (version, name) VALUES (\(index + 1), \(step.name))")
            }
            try session.execute(inTransaction ? "RELEASE SAVEPOINT migrate" : "COMMIT")
        } catch {
            _ = try? session.execute(inTransaction ? "ROLLBACK TO SAVEPOINT migrate" : "ROLLBACK")
            throw error
        }
    }
}
