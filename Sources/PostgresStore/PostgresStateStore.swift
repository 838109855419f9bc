import Foundation
import NIOCore
import Pipeline
import PostgresNIO

/// The state of a fleet of relays in one PostgreSQL database: every relay runs its own `mvpipe run` against it and
/// the fleet behaves as one relay.
///
/// Counts, buckets, final days and checkpoints are stored per relay (``relay``, the config's `host`) and source;
/// what detectors, `counts`, `explain` and `backtest` read (``volumes(on:)``, ``dailyMessages(users:days:)``,
/// ``buckets(users:from:to:)``, ``users(since:)``) are sums over every relay. The per-source reads
/// (``volumes(source:on:)`` and the like) are this relay's own. Alerts are fleet-wide: one per user and day, whoever
/// noticed first. ``pendingAlerts(notifier:since:)`` *claims* what it returns with a lease (`FOR UPDATE SKIP
/// LOCKED`), so two relays never deliver the same alert; a relay killed mid-delivery leaves its claims to the others
/// once the lease expires. The run lock is a session advisory lock keyed by relay.
public final class PostgresStateStore: StateStore {
    /// This relay's name.
    public let relay: String
    let session: PostgresSession
    /// Scratch (dry run, backtest): everything happens in one transaction that is never committed.
    let scratch: Bool
    /// How long a claim on a pending delivery lasts.
    let lease: Int
    /// The schema when opened.
    public let openedSchema: StateSchemaStatus
    /// Whether this store's run lock is taken.
    let runLockHeld = HeldFlag()

    /// How an opened store may be used.
    public enum Access: Sendable {
        /// Read and write; the schema is created or upgraded (under its own advisory lock).
        case readWrite
        /// Read only; the schema must exist.
        case readOnly
        /// A transaction that is rolled back at the end: changes are never seen by anyone else.
        case scratch
    }

    /// Opens the state in the database `url` names for `relay`.
    ///
    /// `create`: a database without mvpipe's tables gets them (else ``StateError/missing(_:)``). `lease`: seconds a
    /// relay's claim on a delivery lasts before another relay may deliver it. `timeout`: seconds for connecting and
    /// for each statement. Throws ``StateError/unreachable(_:)`` when the server cannot be reached.
    public init(url: Secret, name: String, relay: String, access: Access, create: Bool = true,
                lease: Int = 300, timeout: Int64 = 30) throws {
        self.relay = relay
        self.scratch = access == .scratch
        self.lease = lease
        session = try PostgresSession(url: url, name: name, timeout: timeout)
        switch access {
        case .readOnly:
            try session.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        case .scratch:
            try session.execute("BEGIN")
        case .readWrite:
            break
        }
        let found = try Self.readSchema(session)
        if found.applied.isEmpty && found.unknown.isEmpty && !create {
            throw StateError.missing("there is no mvpipe state in \(name) yet (the first `mvpipe run` creates it)")
        }
        openedSchema = found
        if access != .readOnly {
            try Self.migrate(session, inTransaction: scratch)
        }
    }

    public func acquireRunLock(waiting seconds: Double) throws -> any RunLock {
        // A session's advisory locks are reentrant; a second take through this same store must fail like any other.
        guard runLockHeld.take() else {
            throw StateError.locked("this process already holds the run lock of relay \(relay)")
        }
        do {
            return try PostgresRunLock(session: session, relay: relay, waiting: seconds, held: runLockHeld)
        } catch {
            runLockHeld.clear()
            throw error
        }
    }

    /// Runs `body` in one transaction (a savepoint in a scratch store); once committed, a test kill point.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try session.execute(scratch ? "SAVEPOINT step" : "BEGIN")
        do {
            let result = try body()
            try session.execute(scratch ? "RELEASE SAVEPOINT step" : "COMMIT")
            TestKillPoint.commit.reached()
            return result
        } catch {
            _ = try? session.execute(scratch ? "ROLLBACK TO SAVEPOINT step" : "ROLLBACK")
            throw error
        }
    }

    /// The config that owns this relay's part of the state (each relay of the fleet has its own owner).
    ///
    /// The owner is recorded with the machine that recorded it (``Machine``): when another machine runs a relay of
    /// this name, the owner shows as that config *on that machine*, so ``StateStore/claim(for:state:)`` refuses the
    /// run (exit 78: two relays configured with one `"host"` would share checkpoints and counts) and
    /// `mvpipe state adopt` hands the relay to this machine when it really moved.
    public func owner() throws -> StateOwner? {
        try readOwner(lock: false)
    }

    public func recordOwner(_ owner: StateOwner, ifCurrent expected: StateOwner?) throws -> Bool {
        try transaction {
            guard try readOwner(lock: true) == expected else { return false }
            try session.execute("""
                INSERT INTO relay_owner (relay, host, config, machine) VALUES (\(relay), \(owner.host), \(owner.config), \(Machine.current))
                ON CONFLICT (relay) DO UPDATE SET host = excluded.host, config = excluded.config, machine = excluded.machine
                """)
            return true
        }
    }

    private func readOwner(lock: Bool) throws -> StateOwner? {
        let rows = try session.rows("SELECT host, config, machine FROM relay_owner WHERE relay = \(relay)\(unescaped: lock ? " FOR UPDATE" : "")")
        return try rows.first.map { row in
            let (host, config, machine) = try row.decode((String, String, String).self)
            return StateOwner(host: host, config: machine == Machine.current ? config : "\(config) on the machine \(machine)")
        }
    }

    public func finalizedDays(source: String, among days: [Day]) throws -> Set<Day> {
        guard !days.isEmpty else { return [] }
        let texts = days.map(\.description)
        let rows = try session.rows("""
            SELECT day FROM source_day WHERE relay = \(relay) AND source = \(source) AND final AND day = ANY(\(texts))
            """)
        return Set(try rows.compactMap { Day(try $0.decode(String.self)) })
    }

    public func checkpoint(source: String) throws -> [UInt8]? {
        let rows = try session.rows("SELECT data FROM source_checkpoint WHERE relay = \(relay) AND source = \(source)")
        return try rows.first.map { row in
            var buffer = try row.decode(ByteBuffer.self)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    public func apply(_ report: VolumeReport, source: String, at date: Date) throws {
        let stamp = date.timeIntervalSince1970
        try transaction {
            if report.mode == .snapshot {
                let scanned = report.scannedDays.map(\.description)
                if !scanned.isEmpty {
                    try session.execute("DELETE FROM volume WHERE relay = \(relay) AND source = \(source) AND day = ANY(\(scanned))")
                }
                for span in report.bucketSpans {
                    try session.execute("""
                        DELETE FROM bucket WHERE relay = \(relay) AND source = \(source) AND start >= \(span.lowerBound) AND start < \(span.upperBound)
                        """)
                }
            }
            for (day, users) in report.counts where !users.isEmpty {
                let names = Array(users.keys)
                let messages = names.map { Int64(users[$0]!.messages) }
                let recipients = names.map { users[$0]!.recipients.map(Int64.init) ?? -1 }
                let upsert = report.mode == .snapshot
                    ? "messages = excluded.messages, recipients = excluded.recipients"
                    : """
                      messages = volume.messages + excluded.messages,
                      recipients = CASE WHEN volume.recipients IS NULL AND excluded.recipients IS NULL THEN NULL
                                        ELSE coalesce(volume.recipients, 0) + coalesce(excluded.recipients, 0) END
                      """
                try session.execute("""
                    INSERT INTO volume (relay, source, day, "user", messages, recipients)
                    SELECT \(relay), \(source), \(day.description), u, m, nullif(r, -1)
                    FROM unnest(\(names)::text[], \(messages)::bigint[], \(recipients)::bigint[]) AS t(u, m, r)
                    ON CONFLICT (relay, source, day, "user") DO UPDATE SET \(unescaped: upsert)
                    """)
            }
            var bucketUsers: [String] = [], starts: [Int64] = [], counts: [Int64] = []
            for (user, buckets) in report.buckets {
                for (start, messages) in buckets where messages != 0 {
                    bucketUsers.append(user); starts.append(start); counts.append(Int64(messages))
                }
            }
            if !bucketUsers.isEmpty {
                let upsert = report.mode == .snapshot ? "messages = excluded.messages" : "messages = bucket.messages + excluded.messages"
                try session.execute("""
                    INSERT INTO bucket (relay, source, "user", start, messages)
                    SELECT \(relay), \(source), u, s, m FROM unnest(\(bucketUsers)::text[], \(starts)::bigint[], \(counts)::bigint[]) AS t(u, s, m)
                    ON CONFLICT (relay, source, "user", start) DO UPDATE SET \(unescaped: upsert)
                    """)
            }
            try storeClientIPs(report, source: source)
            let cutoff = Int64(date.timeIntervalSince1970 - TimeBuckets.retention)
            try session.execute("DELETE FROM bucket WHERE relay = \(relay) AND start < \(cutoff)")
            let days = Array(Set(report.scannedDays).union(report.finalDays).union(report.counts.keys))
            if !days.isEmpty {
                let texts = days.map(\.description)
                let finals = days.map { report.finalDays.contains($0) }
                try session.execute("""
                    INSERT INTO source_day (relay, source, day, final, updated_at)
                    SELECT \(relay), \(source), d, f, \(stamp) FROM unnest(\(texts)::text[], \(finals)::boolean[]) AS t(d, f)
                    ON CONFLICT (relay, source, day) DO UPDATE SET final = source_day.final OR excluded.final, updated_at = excluded.updated_at
                    """)
            }
            if let checkpoint = report.checkpoint {
                let buffer = ByteBuffer(bytes: checkpoint)
                try session.execute("""
                    INSERT INTO source_checkpoint (relay, source, data, updated_at) VALUES (\(relay), \(source), \(buffer), \(stamp))
                    ON CONFLICT (relay, source) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
                    """)
            }
        }
    }

    public func volumes(source: String, on day: Day) throws -> [String: UserVolume] {
        try volumeMap(session.rows("""
            SELECT "user", messages, recipients FROM volume WHERE relay = \(relay) AND source = \(source) AND day = \(day.description)
            """))
    }

    public func latestDayWithMessages(source: String, among days: [Day]) throws -> Day? {
        guard !days.isEmpty else { return nil }
        let rows = try session.rows("""
            SELECT max(day) FROM volume WHERE relay = \(relay) AND source = \(source) AND day = ANY(\(days.map(\.description))) AND messages > 0
            """)
        return try rows.first.flatMap { try $0.decode(String?.self) }.flatMap(Day.init)
    }

    public func buckets(source: String, users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        guard !users.isEmpty else { return [:] }
        return try bucketMap(session.rows("""
            SELECT "user", start, messages FROM bucket WHERE relay = \(relay) AND source = \(source)
            AND start >= \(Int64(from.timeIntervalSince1970.rounded(.down))) AND start < \(Int64(to.timeIntervalSince1970.rounded(.up)))
            AND "user" = ANY(\(users))
            """))
    }

    public func volumes(on day: Day) throws -> [String: UserVolume] {
        try volumeMap(session.rows("""
            SELECT "user", sum(messages)::bigint, sum(recipients)::bigint FROM volume WHERE day = \(day.description) GROUP BY "user"
            """))
    }

    public func dailyMessages(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        guard !users.isEmpty, !days.isEmpty else { return [:] }
        var result: [String: [Day: Int]] = [:]
        for row in try session.rows("""
            SELECT day, "user", sum(messages)::bigint FROM volume
            WHERE day = ANY(\(Array(Set(days.map(\.description))))) AND "user" = ANY(\(users)) GROUP BY day, "user"
            """) {
            let (text, user, messages) = try row.decode((String, String, Int64).self)
            guard let day = Day(text) else { continue }
            result[user, default: [:]][day] = Int(messages)
        }
        return result
    }

    public func buckets(users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        guard !users.isEmpty else { return [:] }
        return try bucketMap(session.rows("""
            SELECT "user", start, sum(messages)::bigint FROM bucket
            WHERE start >= \(Int64(from.timeIntervalSince1970.rounded(.down))) AND start < \(Int64(to.timeIntervalSince1970.rounded(.up)))
            AND "user" = ANY(\(users)) GROUP BY "user", start
            """))
    }

    public func relayShares(user: String, day: Day) throws -> [RelayShare] {
        try session.rows("""
            SELECT relay, sum(messages)::bigint AS m FROM volume WHERE day = \(day.description) AND "user" = \(user)
            GROUP BY relay HAVING sum(messages) > 0 ORDER BY m DESC, relay
            """).map { row in
            let (relay, messages) = try row.decode((String, Int64).self)
            return RelayShare(relay: relay, messages: Int(messages))
        }
    }

    public func users(since: Day) throws -> Set<String> {
        Set(try session.rows("SELECT DISTINCT \"user\" FROM volume WHERE day >= \(since.description) AND messages > 0")
            .map { try $0.decode(String.self) })
    }

    private func volumeMap(_ rows: [PostgresRow]) throws -> [String: UserVolume] {
        var result: [String: UserVolume] = [:]
        for row in rows {
            let (user, messages, recipients) = try row.decode((String, Int64, Int64?).self)
            result[user] = UserVolume(messages: Int(messages), recipients: recipients.map(Int.init))
        }
        return result
    }

    private func bucketMap(_ rows: [PostgresRow]) throws -> [String: [Int64: Int]] {
        var result: [String: [Int64: Int]] = [:]
        for row in rows {
            let (user, start, messages) = try row.decode((String, Int64, Int64).self)
            result[user, default: [:]][start] = Int(messages)
        }
        return result
    }
}
