import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The state store for one relay: a SQLite file (through GRDB) plus a lock file beside it.
public final class SQLiteStateStore: StateStore {
    /// The database file, or `:memory:`.
    public let path: String
    private let queue: DatabaseQueue

    /// Opens (creating if missing) the state database at `path` and brings its schema up to date.
    ///
    /// A file that exists but is not a usable database is an error: it is never recreated,
    /// since that would silently reset every user's baseline.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StateError.unusable("the state folder \(directory) does not exist; create it (for example `install -d -m 750 \(directory)`) or set \"state\" in the config")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrate(queue)
        } catch {
            throw StateError.unusable("cannot use the state file \(path): \(Self.describe(error)). It was left untouched; restore it from a backup, or move it aside to start with empty history")
        }
    }

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        self.queue = queue
    }

    /// An in-memory copy of the state at `path` (empty when the file does not exist), for dry runs:
    /// everything a run does happens in the copy and the file is never written.
    public static func scratchCopy(of path: String) throws -> SQLiteStateStore {
        let memory = try DatabaseQueue()
        if FileManager.default.fileExists(atPath: path) {
            do {
                var configuration = Configuration()
                configuration.readonly = true
                configuration.busyMode = .timeout(10)
                let source = try DatabaseQueue(path: path, configuration: configuration)
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
        return SQLiteStateStore(path: ":memory:", queue: memory)
    }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
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
        migrator.registerMigration("v2: time buckets") { db in
            try db.execute(sql: """
                CREATE TABLE bucket (
                    source TEXT NOT NULL, user TEXT NOT NULL, start INTEGER NOT NULL, messages INTEGER NOT NULL,
                    PRIMARY KEY (source, user, start)) WITHOUT ROWID;
                CREATE INDEX bucket_start ON bucket(start);
                """)
        }
        return migrator
    }()

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

    /// How long 5-minute buckets are kept (the burst detector looks back a few weeks at most).
    public static let bucketRetention: TimeInterval = 62 * 86_400

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
            try queue.write { db in
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
                try db.execute(sql: "DELETE FROM bucket WHERE start < ?",
                               arguments: [Int64(date.timeIntervalSince1970 - Self.bucketRetention)])
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
        guard !users.isEmpty, !days.isEmpty else { return [:] }
        let dayTexts = Array(Set(days.map(\.description)))
        return try access {
            try queue.read { db in
                var result: [String: [Day: Int]] = [:]
                // Only the users asked for (by the index on day and user), not every user's rows of those days.
                for chunk in Self.chunks(users) {
                    let rows = try Row.fetchCursor(db, sql: """
                        SELECT day, user, SUM(messages) AS messages FROM volume
                        WHERE day IN (\(Self.placeholders(dayTexts.count))) AND user IN (\(Self.placeholders(chunk.count)))
                        GROUP BY day, user
                        """, arguments: StatementArguments(dayTexts + chunk))
                    while let row = try rows.next() {
                        guard let day = Day(row["day"] as String) else { continue }
                        result[row["user"] as String, default: [:]][day] = row["messages"]
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
    private static func chunks(_ users: [String]) -> [[String]] {
        stride(from: 0, to: users.count, by: 10_000).map { Array(users[$0..<min(users.count, $0 + 10_000)]) }
    }

    /// `?, ?, ?` for `count` parameters.
    private static func placeholders(_ count: Int) -> String {
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
            try queue.write { db in
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
                return try payloads.map { try Self.decoder.decode(Alert.self, from: Data($0.utf8)) }
            }
        }
    }

    public func recordDelivery(alertIDs: [Int64], notifier: String, at date: Date) throws {
        try access {
            try queue.write { db in
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
            try queue.write { db in
                for id in alertIDs {
                    try db.execute(sql: """
                        UPDATE delivery SET attempts = attempts + 1, last_error = ? WHERE alert_id = ? AND notifier = ?
                        """, arguments: [String(error.prefix(500)), id, notifier])
                }
            }
        }
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .secondsSince1970
        return e
    }()

    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()

    private static func encode(_ alert: Alert) throws -> String {
        String(decoding: try encoder.encode(alert), as: UTF8.self)
    }

    private func access<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError.unusable("state file \(path): \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "\(db.resultCode)"
        }
        return "\(error)"
    }
}

/// An exclusive `flock` on a file beside the state database.
final class FileRunLock: RunLock, @unchecked Sendable {
    private var fd: Int32
    private let lock = NSLock()

    init(path: String, waiting seconds: Double) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StateError.unusable("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(max(0, seconds))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw StateError.unusable("cannot lock \(path): \(message)")
            }
            if Date() >= deadline {
                close(fd)
                throw StateError.locked("another mvpipe run holds the lock \(path) (waited \(AlertFormatter.format(seconds)) s); this run did nothing. If no mvpipe is running, check for a hung process with `fuser \(path)`")
            }
            usleep(50_000)
        }
    }

    func release() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 {
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
