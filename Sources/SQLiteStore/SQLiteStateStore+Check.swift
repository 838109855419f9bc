import Foundation
import GRDB
import Pipeline

extension SQLiteStateStore {
    public func check(_ expectations: StateCheckExpectations) throws -> StateCheckReport {
        var report = StateCheckReport()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        report.facts.append("state \(path): \(size) bytes, \(openedSchema.summary)")
        try access {
            try queue.read { db in
                do {
                    let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
                    guard integrity == ["ok"] else {
                        report.problems += integrity.map { "integrity_check: \($0)" }
                        report.facts.append("mvpipe's own checks were skipped: SQLite found the file damaged")
                        return
                    }
                    report.facts.append("integrity_check: ok")
                    let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                    if orphans.isEmpty {
                        report.facts.append("foreign keys: ok")
                    } else {
                        let tables = Set(orphans.map { Self.text($0, 0) ?? "?" }).sorted()
                        report.problems.append("foreign keys: \(orphans.count) row(s) of \(tables.joined(separator: ", ")) refer to rows that do not exist")
                    }
                } catch {
                    report.problems.append("SQLite cannot read the whole file: \(Self.describe(error))")
                    return
                }
                try checkInvariants(db, expectations, into: &report)
            }
        }
        return report
    }

    private func checkInvariants(_ db: Database, _ expectations: StateCheckExpectations, into report: inout StateCheckReport) throws {
        let tables = Set(Self.migrations.prefix(openedSchema.applied.count).flatMap(\.tables))
        func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
            try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
        func problem(_ n: Int, _ what: String) {
            if n > 0 { report.problems.append("\(n) \(what)") }
        }
        let present = Self.dataTables.filter { tables.contains($0.name) }
        var counts: [String] = []
        for table in present { counts.append("\(table.name) \(try count("SELECT count(*) FROM \(table.name)"))") }
        report.facts.append("rows: " + counts.joined(separator: ", "))

        if tables.contains("volume") {
            problem(try count("SELECT count(*) FROM volume WHERE messages < 0 OR recipients < 0 OR typeof(messages) != 'integer' OR typeof(recipients) NOT IN ('integer', 'null')"),
                    "volume row(s) whose count is negative or not a whole number")
        }
        if tables.contains("bucket") {
            problem(try count("SELECT count(*) FROM bucket WHERE messages < 0 OR start < 0 OR typeof(messages) != 'integer' OR typeof(start) != 'integer'"),
                    "bucket row(s) whose count or start is negative or not a whole number")
        }
        if tables.contains("source_day") {
            problem(try count("SELECT count(*) FROM source_day WHERE final NOT IN (0, 1)"), "source_day row(s) whose final is not 0 or 1")
            problem(try count("""
                SELECT count(*) FROM (SELECT DISTINCT source, day FROM volume v
                    WHERE NOT EXISTS (SELECT 1 FROM source_day s WHERE s.source = v.source AND s.day = v.day))
                """), "day(s) of a source with counts but no source_day row (a run would read them again and replace their counts)")
        }
        for (table, column) in [("volume", "day"), ("source_day", "day"), ("alert", "day"), ("hold", "day"), ("client_ip", "day"),
                                ("silence", "until")] where tables.contains(table) {
            let bad = try String.fetchAll(db, sql: "SELECT DISTINCT CAST(\(column) AS TEXT) FROM \(table) WHERE \(column) IS NOT NULL")
                .filter { Day($0) == nil }
            if !bad.isEmpty {
                report.problems.append("\(table).\(column) holds \(bad.count) value(s) that are not dates: \(bad.prefix(3).map { "'\(UntrustedText.display($0, limit: 40))'" }.joined(separator: ", "))")
            }
        }
        if tables.contains("hold") {
            report.facts.append("holds: \(try count("SELECT count(*) FROM hold WHERE released_at IS NULL")) in force, \(try count("SELECT count(*) FROM hold WHERE released_at IS NOT NULL")) released")
            problem(try count("SELECT count(*) FROM hold WHERE messages < 0 OR typeof(since) NOT IN ('real', 'integer') OR typeof(released_at) NOT IN ('real', 'integer', 'null')"),
                    "hold row(s) with a negative count or a time that is not a number")
        }
        if tables.contains("client_ip") {
            let row = try Row.fetchOne(db, sql: "SELECT count(*), count(DISTINCT user), min(day), max(day) FROM client_ip")
            report.facts.append(StateCheckReport.clientIPFact(rows: row.flatMap { Int.fromDatabaseValue($0[0]) } ?? 0,
                                                              users: row.flatMap { Int.fromDatabaseValue($0[1]) } ?? 0,
                                                              first: row.flatMap { Self.text($0, 2) }, last: row.flatMap { Self.text($0, 3) }))
            problem(try count("SELECT count(*) FROM client_ip WHERE messages < 0 OR typeof(messages) != 'integer'"),
                    "client_ip row(s) whose count is negative or not a whole number")
        }
        if tables.contains("silence") {
            let today = expectations.today?.description ?? ""
            report.facts.append(StateCheckReport.silenceFact(inForce: try count("SELECT count(*) FROM silence WHERE until >= ?", [today]),
                                                             ended: try count("SELECT count(*) FROM silence WHERE until < ?", [today]),
                                                             today: expectations.today))
            problem(try count("SELECT count(*) FROM silence WHERE typeof(created_at) NOT IN ('real', 'integer')"),
                    "silence row(s) whose created_at is not a number")
        }
        guard tables.contains("alert") else { return }
        problem(try count("SELECT count(*) FROM alert WHERE messages < 0 OR sequence < 1 OR typeof(messages) != 'integer' OR typeof(sequence) != 'integer'"),
                "alert(s) whose count is negative or whose sequence is below 1")
        problem(try count("SELECT count(*) FROM delivery WHERE attempts < 0 OR superseded NOT IN (0, 1)"),
                "delivery record(s) with negative attempts or a superseded flag not 0 or 1")
        var undecodable: [Int64] = []
        let alerts = try Row.fetchCursor(db, sql: "SELECT id, day, user, payload FROM alert ORDER BY id")
        while let row = try alerts.next() {
            let id: Int64 = row[0]
            let payload = Self.text(row, 3) ?? ""
            guard let alert = try? Alert(payload: payload),
                  alert.id == id, alert.day.description == Self.text(row, 1), alert.user == Self.text(row, 2) else {
                undecodable.append(id)
                continue
            }
        }
        if !undecodable.isEmpty {
            report.problems.append("\(undecodable.count) alert(s) whose payload is not the alert of its row (ids \(undecodable.prefix(5).map(String.init).joined(separator: ", ")))")
        }
        problem(try count("SELECT count(*) FROM alert a WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = a.id)"),
                "alert(s) with no delivery record for any notifier (no notifier will ever send them)")
        let lastID = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'alert'") ?? 0
        let highest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM alert") ?? 0
        if highest > lastID {
            report.problems.append("the alert id sequence (\(lastID)) is behind the highest alert id (\(highest)): new alerts would reuse ids, and notifiers would take them for duplicates")
        }
        let retryFrom = expectations.retryFrom.description
        let pending = try count("""
            SELECT count(DISTINCT a.id) FROM alert a JOIN delivery d ON d.alert_id = a.id
            WHERE d.delivered_at IS NULL AND d.superseded = 0 AND a.day >= ?
            """, [retryFrom])
        report.facts.append("alerts: \(try count("SELECT count(*) FROM alert")), \(pending) waiting for delivery within the retry window (from \(retryFrom))")
        for notifier in expectations.notifiers {
            let missing = try count("""
                SELECT count(*) FROM alert a WHERE a.day >= ? AND NOT EXISTS
                    (SELECT 1 FROM delivery d WHERE d.alert_id = a.id AND d.notifier = ?)
                """, [retryFrom, notifier])
            if missing > 0 {
                report.warnings.append("notifier '\(UntrustedText.display(notifier))' has no delivery record for \(missing) alert(s) of the retry window: it was added or renamed after they were raised, and will not send them")
            }
        }
        let strays = try Row.fetchAll(db, sql: """
            SELECT notifier, count(*) FROM delivery WHERE delivered_at IS NULL AND superseded = 0 GROUP BY notifier ORDER BY notifier
            """).filter { !expectations.notifiers.contains(Self.text($0, 0) ?? "") }
        for row in strays {
            report.warnings.append("\(Int.fromDatabaseValue(row[1]) ?? 0) undelivered alert(s) are queued for notifier '\(UntrustedText.display(Self.text(row, 0) ?? ""))', which the config does not have (renamed or removed?)")
        }
        let checkpoints = try Row.fetchAll(db, sql: "SELECT source, length(data) FROM source_checkpoint ORDER BY source")
        for row in checkpoints {
            let source = Self.text(row, 0) ?? ""
            let bytes = Int.fromDatabaseValue(row[1]) ?? 0
            report.facts.append("checkpoint of source '\(UntrustedText.display(source))': \(bytes) bytes")
            if bytes == 0 { report.warnings.append("the checkpoint of source '\(UntrustedText.display(source))' is empty") }
            if !expectations.sources.contains(source) {
                report.warnings.append("a checkpoint is kept for source '\(UntrustedText.display(source))', which the config does not have (renamed or removed?)")
            }
        }
        for source in expectations.sources where !checkpoints.contains(where: { Self.text($0, 0) == source }) {
            report.facts.append("source '\(UntrustedText.display(source))': no checkpoint (sources that rescan folders keep none; log sources save one on their first run)")
        }
    }

    /// Column `index` as text, or `nil` when it holds something else (never a crash on a damaged file).
    private static func text(_ row: Row, _ index: Int) -> String? {
        String.fromDatabaseValue(row[index])
    }
}
