import Foundation
import GRDB
@testable import Pipeline
@testable import SQLiteStore

/// Builds real state files at any schema version, filled with rows in every table (hostile
/// user names included), for the upgrade, check and export tests.
enum StateFixture {
    /// User names as attackers choose them: line breaks, an escaped invalid UTF-8 byte (as
    /// ``UntrustedText/decode(_:)`` writes it), DEL, C1 and line-separator characters, emoji, quotes.
    static let users = [
        "alice@example.org", "evil\r\nBcc: x@evil.test", "caf\\xc3-broken", "del\u{7f}nel\u{85}ls\u{2028}",
        "😀@example.org", "quote\"back\\slash\ttab",
    ]
    /// The fixture's newest day.
    static let day = Day("2026-11-25")!
    /// A time with a fraction, to show REAL columns keep every bit.
    static let stamp = 1_764_072_000.123456

    /// Creates `path` with the migrations up to and including `migrations[schemaIndex]`, and fills
    /// every table that exists at that version.
    static func build(at path: String, schemaIndex: Int = SQLiteStateStore.migrations.count - 1) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteStateStore.migrator.migrate(queue, upTo: SQLiteStateStore.migrations[schemaIndex].identifier)
        let tables = Set(SQLiteStateStore.migrations.prefix(schemaIndex + 1).flatMap(\.tables))
        try queue.write { db in try fill(db, tables: tables) }
        try queue.close()
    }

    /// Inserts rows into each of `tables`.
    static func fill(_ db: Database, tables: Set<String>) throws {
        if tables.contains("volume") {
            for (i, user) in users.enumerated() {
                for offset in 0..<20 {
                    try db.execute(sql: "INSERT INTO volume VALUES (?, ?, ?, ?, ?)", arguments: [
                        "archive", day.adding(days: -offset).description, user, 10 + i + offset,
                        offset.isMultiple(of: 3) ? nil : i * 2])
                }
            }
        }
        if tables.contains("source_day") {
            for offset in 0..<20 {
                try db.execute(sql: "INSERT INTO source_day VALUES (?, ?, ?, ?)", arguments: [
                    "archive", day.adding(days: -offset).description, offset > 0 ? 1 : 0, stamp - Double(offset) * 86_400.25])
            }
        }
        if tables.contains("source_checkpoint") {
            let blob = Data([0, 1, 2, 255, 254, 10, 13]) + Data((0..<1000).map { UInt8($0 % 251) })
            try db.execute(sql: "INSERT INTO source_checkpoint VALUES (?, ?, ?)", arguments: ["maillog", blob, stamp + 0.5])
        }
        if tables.contains("alert") {
            for (i, user) in users.enumerated() {
                let alertDay = day.adding(days: -(i % 3))
                let alert = Alert(id: Int64(i + 1), user: user, day: alertDay, messages: 200 + i, recipients: i, average: 20.5,
                                  allowed: 100, verdicts: [], history: [DayCount(day: alertDay.adding(days: -1), messages: 20)],
                                  raisedAt: Date(timeIntervalSince1970: stamp + Double(i)), sequence: 1)
                try db.execute(sql: "INSERT INTO alert (id, day, user, messages, sequence, payload, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [alert.id, alertDay.description, user, alert.messages, 1,
                                           try SQLiteStateStore.encode(alert), stamp + Double(i)])
                if tables.contains("delivery") {
                    try db.execute(sql: "INSERT INTO delivery VALUES (?, ?, ?, ?, ?, ?)", arguments: [
                        alert.id, "mail", i.isMultiple(of: 2) ? stamp + 60 : nil, 0, i, i.isMultiple(of: 2) ? nil : "timeout\n\"x\" \u{1b}[31m"])
                }
            }
        }
        if tables.contains("meta") {
            // Not an owner (the fixture's state belongs to whichever config uses it first): a key mvpipe ignores, so an
            // upgrade from schema 3 has a row to keep. (Once only: both merged branches had added this row.)
            try db.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: ["fixture", "state fixture"])
        }
        if tables.contains("client_ip") {
            for (i, user) in users.enumerated() {
                try db.execute(sql: "INSERT INTO client_ip VALUES (?, ?, ?, ?, ?)", arguments: ["maillog", "2026-11-25", user, "192.0.2.\(i + 1)", i + 1])
            }
        }
        if tables.contains("silence") {
            try db.execute(sql: "INSERT INTO silence VALUES (?, ?, ?, ?)", arguments: [users[0], "2026-12-31", "a mailing", 1_795_000_000.5])
        }
        if tables.contains("bucket") {
            let start = Int64(1_764_028_800)  // 2026-11-25T00:00Z
            for (i, user) in users.enumerated() {
                for k in 0..<12 {
                    try db.execute(sql: "INSERT INTO bucket VALUES (?, ?, ?, ?)", arguments: ["maillog", user, start + Int64(k * 300), k + i + 1])
                }
            }
        }
        if tables.contains("hold") {
            for (i, user) in users.enumerated() {
                try db.execute(sql: """
                    INSERT INTO hold (action, key, user, since, alert_id, day, messages, relay, released_at, released_by)
                    VALUES ('postfix-hold', ?, ?, ?, ?, ?, 200, 'mx1.example.org', ?, ?)
                    """, arguments: [user.lowercased(), user, stamp + Double(i), i + 1, day.description,
                                      i.isMultiple(of: 2) ? stamp + 3600 : nil, i.isMultiple(of: 2) ? "postmaster" : nil])
            }
        }
    }

    /// Every row of `table` in a stable order, as raw database values.
    static func rows(_ db: Database, _ table: String) throws -> [[DatabaseValue]] {
        let columns = try db.columns(in: table).count
        let order = (1...min(3, columns)).map(String.init).joined(separator: ", ")
        return try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map { Array($0.databaseValues) }
    }

    /// Every row of the tables a `state export` carries (not `meta`, whose owner belongs to the importing config).
    static func exportedSnapshot(_ path: String) throws -> [String: [[DatabaseValue]]] {
        try snapshot(path).filter { StateTable.named($0.key) != nil }
    }

    /// Every row of every table the schema at `schemaIndex` has.
    static func snapshot(_ path: String, schemaIndex: Int = SQLiteStateStore.migrations.count - 1) throws -> [String: [[DatabaseValue]]] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var result: [String: [[DatabaseValue]]] = [:]
            for table in SQLiteStateStore.migrations.prefix(schemaIndex + 1).flatMap(\.tables) {
                result[table] = try rows(db, table)
            }
            return result
        }
    }

    /// The file's bytes (to show a refused file was not modified).
    static func bytes(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path)
    }

    /// A minimal config whose state is `state` (console notifier, an empty archive).
    static func config(in dir: TemporaryDirectory, state: String, name: String = "pipeline.json",
                       notifiers: [[String: Any]] = [["type": "console", "name": "mail"]]) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        return try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: state, notifiers: notifiers, timezone: "UTC"),
                                    to: dir.file(name))
    }
}
