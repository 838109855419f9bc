import Foundation
import GRDB
import Pipeline

extension SQLiteStateStore {
    /// The tables that hold data (everything but the alert id sequence), in export order.
    static var dataTables: [StateTable] { StateTable.all.filter { $0 != .alertSequence } }

    public func export(_ writeLine: (String) throws -> Void) throws -> [String: Int] {
        try access {
            // One read transaction: a consistent snapshot, streamed row by row.
            try queue.read { db in
                try writeLine(StateExportFormat.header(schemaVersion: Self.schemaVersion))
                var counts: [String: Int] = [:]
                for table in StateTable.all {
                    let rows = try Row.fetchCursor(db, sql: Self.selectSQL(table))
                    while let row = try rows.next() {
                        let values = (0..<row.count).map { Self.stateValue(row[$0] as DatabaseValue) }
                        try writeLine(try StateExportFormat.line(StateRow(table: table, values: values)))
                        counts[table.name, default: 0] += 1
                    }
                }
                return counts
            }
        }
    }

    public func importRows(from file: StateExportReader, replace: Bool) throws -> [String: Int] {
        try access {
            var counts: [String: Int] = [:]
            try queue.inTransaction(.immediate) { db in
                // Deliveries may come before their alerts in a hand-edited file; check references at commit.
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                var held = 0
                for table in Self.dataTables {
                    held += try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
                }
                if held > 0 {
                    guard replace else {
                        throw StateImportError.notEmpty("the state file \(path) already holds \(held) rows; import only into a new or empty state, or pass --replace to discard what it holds (the import and the discard are one transaction)")
                    }
                    for table in Self.dataTables.reversed() { try db.execute(sql: "DELETE FROM \(table.name)") }
                    try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'alert'")
                }
                var lastID: Int64?
                try file.read(currentSchema: Self.schemaVersion) { row in
                    if row.table == .alertSequence {
                        if case .integer(let id) = row.values[0] { lastID = id }
                        return
                    }
                    let statement = try db.cachedStatement(sql: Self.insertSQL(row.table))
                    do {
                        try statement.execute(arguments: StatementArguments(row.values.map(Self.databaseValue)))
                    } catch let error as DatabaseError {
                        throw StateImportError.invalidLine(line: row.line, message: "cannot store this \(row.table.name) row: \(error.message ?? "\(error.resultCode)")")
                    }
                    counts[row.table.name, default: 0] += 1
                }
                if let lastID {
                    try db.execute(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'alert'", arguments: [lastID])
                    if db.changesCount == 0 {
                        try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('alert', ?)", arguments: [lastID])
                    }
                    counts[StateTable.alertSequence.name] = 1
                }
                return .commit
            }
            TestKillPoint.commit.reached()
            return counts
        }
    }

    static func selectSQL(_ table: StateTable) -> String {
        if table == .alertSequence { return "SELECT seq FROM sqlite_sequence WHERE name = 'alert'" }
        return "SELECT \(table.columns.map(\.name).joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.key.joined(separator: ", "))"
    }

    private static func insertSQL(_ table: StateTable) -> String {
        "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES (\(table.columns.map { _ in "?" }.joined(separator: ", ")))"
    }

    private static func stateValue(_ value: DatabaseValue) -> StateValue {
        switch value.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let b): .blob(b)
        }
    }

    private static func databaseValue(_ value: StateValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let i): i.databaseValue
        case .real(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .blob(let b): b.databaseValue
        }
    }
}
