import Foundation
import GRDB
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// The state store for one relay: a SQLite file (through GRDB) plus a lock file beside it.
public final class SQLiteStateStore: StateStore {
    /// The database file, or `:memory:`.
    public let path: String
    let queue: DatabaseQueue
    /// The file's schema when it was opened (before any upgrade).
    public let openedSchema: StateSchemaStatus

    /// Opens (creating if missing) the state database at `path` and brings its schema up to date.
    ///
    /// A file that exists but is not a usable database is an error: it is never recreated,
    /// since that would silently reset every user's baseline. That includes a zero-length file
    /// (SQLite would take it for a new database), a truncated one, another application's
    /// database, and one a newer mvpipe wrote (see ``StateFileProbe``).
    public convenience init(path: String) throws {
        try self.init(path: path, create: true)
    }

    /// Opens the state database at `path` and brings its schema up to date; when the file is
    /// missing, creates it if `create`, else throws ``StateError/missing(_:)``.
    ///
    /// A new file is built beside `path` and linked into place whole, so a crash never leaves a
    /// half-made (or empty) state file behind.
    public init(path: String, create: Bool) throws {
        self.path = path
        try Self.requireFolder(of: path)
        if try StateFileProbe.probe(path) == .missing {
            guard create else {
                throw Self.missing(path)
            }
            try Self.createAtomically(at: path)
            _ = try StateFileProbe.probe(path)
        }
        queue = try Self.openQueue(path, readonly: false)
        openedSchema = try Self.readSchema(queue, path: path)
        do {
            try Self.migrate(queue)
        } catch {
            throw StateError.unusable("cannot upgrade the state file \(path) to schema \(Self.schemaVersion): \(Self.describe(error))\(Self.ownerHint(error, path: path)). It was left as it was (each upgrade step is one transaction); restore it from a backup if this repeats")
        }
    }

    /// Opens an existing state file for reading only, without upgrading its schema
    /// (for `state check`): it is refused like ``init(path:create:)`` refuses it, but never written.
    public init(readingOnly path: String) throws {
        self.path = path
        try Self.requireFolder(of: path)
        guard try StateFileProbe.probe(path) != .missing else {
            throw Self.missing(path)
        }
        queue = try Self.openQueue(path, readonly: true)
        openedSchema = try Self.readSchema(queue, path: path)
    }

    private init(path: String, queue: DatabaseQueue, schema: StateSchemaStatus) {
        self.path = path
        self.queue = queue
        self.openedSchema = schema
    }

    /// An in-memory copy of the state at `path`, upgraded to the current schema, for dry runs and backtests:
    /// everything a command does happens in the copy and the file is never written. When the file does not exist,
    /// the copy starts empty if `create`, else this throws ``StateError/missing(_:)``.
    public static func scratchCopy(of path: String, create: Bool = true) throws -> SQLiteStateStore {
        let memory = try DatabaseQueue()
        var schema = StateSchemaStatus(applied: [], unknown: [], current: schemaVersion)
        if try StateFileProbe.probe(path) == .missing {
            guard create else { throw missing(path) }
        } else {
            let source = try openQueue(path, readonly: true)
            schema = try readSchema(source, path: path)
            do {
                try source.backup(to: memory)
            } catch {
                throw StateError.unusable("cannot read the state file \(path): \(describe(error))")
            }
        }
        do {
            try migrator.migrate(memory)
        } catch {
            throw StateError.unusable("cannot prepare a scratch copy of \(path): \(describe(error))")
        }
        return SQLiteStateStore(path: ":memory:", queue: memory, schema: schema)
    }

    private static func missing(_ path: String) -> StateError {
        StateError.missing("there is no state file at \(path) (the first `mvpipe run` creates it); check \"state\" in the config")
    }

    private static func requireFolder(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        guard exists, isDirectory.boolValue else {
            throw (exists ? StateError.unusable : StateError.missing)("the state folder \(directory) does not exist; create it (for example `install -d -m 750 \(directory)`) or set \"state\" in the config")
        }
    }

    private static func openQueue(_ path: String, readonly: Bool) throws -> DatabaseQueue {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.readonly = readonly
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            let hint = ownerHint(error, path: path)
            guard hint.isEmpty else { throw StateError.unusable("cannot open the state file \(path): \(describe(error))\(hint)") }
            throw StateError.unusable("cannot use the state file \(path): \(describe(error)). It was left untouched; restore it from a backup, or move it aside to start with empty history")
        }
    }

    private static func readSchema(_ queue: DatabaseQueue, path: String) throws -> StateSchemaStatus {
        do {
            return try queue.read { db in try inspectSchema(db, path: path) }
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError.unusable("cannot use the state file \(path): \(describe(error)). It was left untouched; restore it from a backup, or move it aside to start with empty history")
        }
    }

    /// Builds a new state file beside `path`, then links it into place (never over an existing file).
    private static func createAtomically(at path: String) throws {
        let temporary = path + ".new-\(getpid())"
        unlink(temporary)
        defer { unlink(temporary) }
        do {
            let queue = try DatabaseQueue(path: temporary)
            try migrator.migrate(queue)
            try queue.close()
        } catch {
            throw StateError.unusable("cannot create the state file \(path): \(describe(error))\(ownerHint(error, path: path))")
        }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw StateError.unusable("cannot create the state file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Brings the schema up to date. Two processes opening a new (or older) state file at the same moment both
    /// see the same migrations missing (GRDB reads them before each migration's transaction), so the slower one
    /// fails with "table ... already exists" once the other has committed, and its own attempt rolls back. Then
    /// it looks again and applies only what is still missing (a few times at most).
    static func migrate(_ queue: DatabaseQueue) throws {
        var attempt = 1
        while true {
            do {
                try migrator.migrate(queue)
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR && attempt < 5 {
                if try queue.read({ try migrator.hasCompletedMigrations($0) }) { return }
                attempt += 1
            }
        }
    }

    public func acquireRunLock(waiting seconds: Double) throws -> any RunLock {
        try FileRunLock(path: path + ".lock", waiting: seconds)
    }

    public func finalizedDays(source: String, among days: [Day]) throws -> Set<Day> {
        guard !days.isEmpty else { return [] }
        return try access {
            try queue.read { db in
                let rows = try String.fetchAll(db, sql: """
                    SELECT day FROM source_day WHERE source = ? AND final = 1 AND day BETWEEN ? AND ?
                    """, arguments: [source, days.min()!.description, days.max()!.description])
                let wanted = Set(days)
                return Set(rows.compactMap(Day.init).filter(wanted.contains))
            }
        }
    }

    public func checkpoint(source: String) throws -> [UInt8]? {
        try access {
            try queue.read { db in
                try Data.fetchOne(db, sql: "SELECT data FROM source_checkpoint WHERE source = ?", arguments: [source])
                    .map { [UInt8]($0) }
            }
        }
    }

    public func apply(_ report: VolumeReport, source: String, at date: Date) throws {
        let stamp = date.timeIntervalSince1970
        try access {
            try commit { db in
                switch report.mode {
                case .snapshot:
                    for day in report.scannedDays {
                        try db.execute(sql: "DELETE FROM volume WHERE source = ? AND day = ?", arguments: [source, day.description])
                    }
                    for (day, users) in report.counts {
                        let statement = try db.cachedStatement(sql: """
                            INSERT OR REPLACE INTO volume (source, day, user, messages, recipients) VALUES (?, ?, ?, ?, ?)
                            """)
                        for (user, volume) in users {
                            try statement.execute(arguments: [source, day.description, user, volume.messages, volume.recipients])
                        }
                    }
                case .increment:
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO volume (source, day, user, messages, recipients) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (source, day, user) DO UPDATE SET
                            messages = messages + excluded.messages,
                            recipients = CASE WHEN recipients IS NULL AND excluded.recipients IS NULL THEN NULL
                                              ELSE coalesce(recipients, 0) + coalesce(excluded.recipients, 0) END
                        """)
                    for (day, users) in report.counts {
                        for (user, volume) in users {
                            try statement.execute(arguments: [source, day.description, user, volume.messages, volume.recipients])
                        }
                    }
                }
                try Self.storeBuckets(report, source: source, db: db)
                try Self.storeClientIPs(report, source: source, db: db)
                try db.execute(sql: "DELETE FROM bucket WHERE start < ?",
                               arguments: [Int64(date.timeIntervalSince1970 - TimeBuckets.retention)])
                let dayStatement = try db.cachedStatement(sql: """
                    INSERT INTO source_day (source, day, final, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (source, day) DO UPDATE SET final = max(final, excluded.final), updated_at = excluded.updated_at
                    """)
                for day in Set(report.scannedDays).union(report.finalDays).union(report.counts.keys) {
                    try dayStatement.execute(arguments: [source, day.description, report.finalDays.contains(day) ? 1 : 0, stamp])
                }
                if let checkpoint = report.checkpoint {
                    try db.execute(sql: """
                        INSERT INTO source_checkpoint (source, data, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (source) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
                        """, arguments: [source, Data(checkpoint), stamp])
                }
            }
        }
    }

    public func volumes(on day: Day) throws -> [String: UserVolume] {
        try access {
            try queue.read { db in
                var result: [String: UserVolume] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT user, SUM(messages) AS messages, SUM(recipients) AS recipients
                    FROM volume WHERE day = ? GROUP BY user
                    """, arguments: [day.description])
                while let row = try rows.next() {
                    result[row["user"]] = UserVolume(messages: row["messages"], recipients: row["recipients"])
                }
                return result
            }
        }
    }

    public func dailyMessages(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        try dailySums(.messages, users: users, days: days)
    }

    /// A `volume` column that ``dailySums(_:users:days:)`` adds up per user and day.
    enum DailyColumn: String {
        case messages, recipients
    }

    /// Per user and day, the sum of `column` over every source; days without a count (recipients a source does not
    /// know) are left out.
    func dailySums(_ column: DailyColumn, users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        guard !users.isEmpty, !days.isEmpty else { return [:] }
        let dayTexts = Array(Set(days.map(\.description)))
        return try access {
            try queue.read { db in
                var result: [String: [Day: Int]] = [:]
                // Only the users asked for (by the index on day and user), not every user's rows of those days.
                for chunk in Self.chunks(users) {
                    let rows = try Row.fetchCursor(db, sql: """
                        SELECT day, user, SUM(\(column.rawValue)) AS total FROM volume
                        WHERE day IN (\(Self.placeholders(dayTexts.count))) AND user IN (\(Self.placeholders(chunk.count)))
                        GROUP BY day, user
                        """, arguments: StatementArguments(dayTexts + chunk))
                    while let row = try rows.next() {
                        guard let day = Day(row["day"] as String), let total = row["total"] as Int? else { continue }
                        result[row["user"] as String, default: [:]][day] = total
                    }
                }
                return result
            }
        }
    }

    private static func storeBuckets(_ report: VolumeReport, source: String, db: Database) throws {
        if report.mode == .snapshot {
            // A rescan of a day gives its whole picture: its buckets replace what was stored.
            for span in report.bucketSpans {
                try db.execute(sql: "DELETE FROM bucket WHERE source = ? AND start >= ? AND start < ?",
                               arguments: [source, span.lowerBound, span.upperBound])
            }
        }
        let statement = try db.cachedStatement(sql: report.mode == .snapshot
            ? "INSERT OR REPLACE INTO bucket (source, user, start, messages) VALUES (?, ?, ?, ?)"
            : """
              INSERT INTO bucket (source, user, start, messages) VALUES (?, ?, ?, ?)
              ON CONFLICT (source, user, start) DO UPDATE SET messages = messages + excluded.messages
              """)
        for (user, buckets) in report.buckets {
            for (start, messages) in buckets where messages != 0 {
                try statement.execute(arguments: [source, user, start, messages])
            }
        }
    }

    public func buckets(users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        guard !users.isEmpty else { return [:] }
        let span: [any DatabaseValueConvertible] = [Int64(from.timeIntervalSince1970.rounded(.down)), Int64(to.timeIntervalSince1970.rounded(.up))]
        return try access {
            try queue.read { db in
                var result: [String: [Int64: Int]] = [:]
                for chunk in Self.chunks(users) {
                    let rows = try Row.fetchCursor(db, sql: """
                        SELECT user, start, SUM(messages) AS messages FROM bucket
                        WHERE start >= ? AND start < ? AND user IN (\(Self.placeholders(chunk.count))) GROUP BY user, start
                        """, arguments: StatementArguments(span + chunk))
                    while let row = try rows.next() {
                        result[row["user"] as String, default: [:]][row["start"]] = row["messages"]
                    }
                }
                return result
            }
        }
    }

    /// `users` in pieces small enough for one statement's parameters (SQLite allows 32 766).
    static func chunks(_ users: [String]) -> [[String]] {
        stride(from: 0, to: users.count, by: 10_000).map { Array(users[$0..<min(users.count, $0 + 10_000)]) }
    }

    /// `?, ?, ?` for `count` parameters.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    public func users(since: Day) throws -> Set<String> {
        try access {
            try queue.read { db in
                Set(try String.fetchAll(db, sql: "SELECT DISTINCT user FROM volume WHERE day >= ? AND messages > 0",
                                        arguments: [since.description]))
            }
        }
    }

    public func latestAlert(user: String, day: Day) throws -> AlertRecord? {
        try access {
            try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT a.id, a.messages, a.sequence,
                           EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = a.id AND d.delivered_at IS NOT NULL) AS delivered
                    FROM alert a WHERE a.day = ? AND a.user = ? ORDER BY a.id DESC LIMIT 1
                    """, arguments: [day.description, user]) else { return nil }
                return AlertRecord(id: row["id"], messages: row["messages"], sequence: row["sequence"],
                                   deliveredAnywhere: row["delivered"])
            }
        }
    }

    public func saveAlerts(_ drafts: [AlertDraft], notifiers: [String]) throws -> [Alert] {
        guard !drafts.isEmpty else { return [] }
        return try access {
            try commit { db in
                var saved: [Alert] = []
                for draft in drafts {
                    var alert = draft.alert
                    if let id = draft.replacing {
                        alert.id = id
                        try db.execute(sql: "UPDATE alert SET messages = ?, payload = ?, raised_at = ? WHERE id = ?",
                                       arguments: [alert.messages, try Self.encode(alert), alert.raisedAt.timeIntervalSince1970, id])
                    } else {
                        try db.execute(sql: """
                            INSERT INTO alert (day, user, messages, sequence, payload, raised_at) VALUES (?, ?, ?, ?, '', ?)
                            """, arguments: [alert.day.description, alert.user, alert.messages, alert.sequence,
                                             alert.raisedAt.timeIntervalSince1970])
                        alert.id = db.lastInsertedRowID
                        try db.execute(sql: "UPDATE alert SET payload = ? WHERE id = ?", arguments: [try Self.encode(alert), alert.id])
                        // An escalation supersedes earlier alerts of the same user and day not yet delivered.
                        try db.execute(sql: """
                            UPDATE delivery SET superseded = 1 WHERE delivered_at IS NULL AND alert_id IN
                                (SELECT id FROM alert WHERE day = ? AND user = ? AND id < ?)
                            """, arguments: [alert.day.description, alert.user, alert.id])
                        for notifier in notifiers {
                            try db.execute(sql: "INSERT INTO delivery (alert_id, notifier) VALUES (?, ?)", arguments: [alert.id, notifier])
                        }
                    }
                    saved.append(alert)
                }
                return saved
            }
        }
    }

    public func pendingAlerts(notifier: String, since: Day) throws -> [Alert] {
        try access {
            try queue.read { db in
                let payloads = try String.fetchAll(db, sql: """
                    SELECT a.payload FROM alert a JOIN delivery d ON d.alert_id = a.id
                    WHERE d.notifier = ? AND d.delivered_at IS NULL AND d.superseded = 0 AND a.day >= ?
                    ORDER BY a.day, a.user, a.id
                    """, arguments: [notifier, since.description])
                return try payloads.map { try Alert(payload: $0) }
            }
        }
    }

    public func recordDelivery(alertIDs: [Int64], notifier: String, at date: Date) throws {
        try access {
            try commit { db in
                for id in alertIDs {
                    try db.execute(sql: """
                        UPDATE delivery SET delivered_at = ?, attempts = attempts + 1, last_error = NULL
                        WHERE alert_id = ? AND notifier = ?
                        """, arguments: [date.timeIntervalSince1970, id, notifier])
                }
            }
        }
    }

    public func recordFailure(alertIDs: [Int64], notifier: String, error: String, at date: Date) throws {
        try access {
            try commit { db in
                for id in alertIDs {
                    try db.execute(sql: """
                        UPDATE delivery SET attempts = attempts + 1, last_error = ? WHERE alert_id = ? AND notifier = ?
                        """, arguments: [String(error.prefix(500)), id, notifier])
                }
            }
        }
    }

    static func encode(_ alert: Alert) throws -> String {
        try alert.payload()
    }

    /// One write transaction of the run's data; once it committed, a test kill point (``TestKillPoint/commit``).
    func commit<T>(_ updates: (Database) throws -> T) throws -> T {
        let result = try queue.write(updates)
        TestKillPoint.commit.reached()
        return result
    }

    func access<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StateError {
            throw error
        } catch let error as StateImportError {
            throw error
        } catch {
            throw StateError.unusable("state file \(path): \(Self.describe(error))\(Self.ownerHint(error, path: path))")
        }
    }

    /// Who owns the state and how to fix it, when `error` says this account may not write or open it.
    static func ownerHint(_ error: any Error, path: String) -> String {
        guard let db = error as? DatabaseError else { return "" }
        switch db.resultCode {
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return FileOwnerHint.forDenied(path)
        default: return ""
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "\(db.resultCode)"
        }
        return "\(error)"
    }
}
