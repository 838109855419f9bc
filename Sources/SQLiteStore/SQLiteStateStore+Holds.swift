import Foundation
import GRDB
import Pipeline

/// Containment holds (``HoldLedger``) in the `hold` table.
extension SQLiteStateStore: HoldLedger {
    public func holds(action: String?, includeReleased: Bool) throws -> [Hold] {
        try access {
            try queue.read { db in
                // A state opened read-only keeps its schema: before schema 4 there are no holds.
                guard try db.tableExists("hold") else { return [] }
                var sql = "SELECT * FROM hold WHERE 1"
                var arguments: StatementArguments = []
                if let action {
                    sql += " AND action = ?"
                    arguments += [action]
                }
                if !includeReleased { sql += " AND released_at IS NULL" }
                return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map(Self.hold)
            }
        }
    }

    public func recordHolds(_ holds: [Hold]) throws {
        guard !holds.isEmpty else { return }
        try access {
            try commit { db in
                for hold in holds {
                    try db.execute(sql: """
                        UPDATE hold SET alert_id = ?, day = ?, messages = ? WHERE action = ? AND key = ? AND released_at IS NULL
                        """, arguments: [hold.alertID, hold.day.description, hold.messages, hold.action, hold.key])
                    if db.changesCount == 0 {
                        try db.execute(sql: """
                            INSERT INTO hold (action, key, user, since, alert_id, day, messages, relay) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [hold.action, hold.key, hold.user, hold.since.timeIntervalSince1970, hold.alertID,
                                             hold.day.description, hold.messages, hold.relay])
                    }
                }
            }
        }
    }

    public func releaseHolds(keys: [String], action: String?, at date: Date, by who: String) throws -> [Hold] {
        guard !keys.isEmpty else { return [] }
        return try access {
            try commit { db in
                var released: [Hold] = []
                for key in keys {
                    var sql = "SELECT * FROM hold WHERE key = ? AND released_at IS NULL"
                    var arguments: StatementArguments = [key]
                    if let action {
                        sql += " AND action = ?"
                        arguments += [action]
                    }
                    for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                        try db.execute(sql: "UPDATE hold SET released_at = ?, released_by = ? WHERE id = ?",
                                       arguments: [date.timeIntervalSince1970, who, row["id"] as Int64])
                        var hold = Self.hold(row)
                        hold.releasedAt = date
                        hold.releasedBy = who
                        released.append(hold)
                    }
                }
                return released
            }
        }
    }

    public func recordContainment(_ text: String, action: String, alertID: Int64) throws {
        try access {
            try commit { db in
                guard let payload = try String.fetchOne(db, sql: "SELECT payload FROM alert WHERE id = ?", arguments: [alertID]) else { return }
                var alert = try Alert(payload: payload)
                alert.containment = (alert.containment ?? [:]).merging([action: text]) { $1 }
                try db.execute(sql: "UPDATE alert SET payload = ? WHERE id = ?", arguments: [try Self.encode(alert), alertID])
            }
        }
    }

    private static func hold(_ row: Row) -> Hold {
        Hold(action: row["action"], key: row["key"], user: row["user"], since: Date(timeIntervalSince1970: row["since"]),
             alertID: row["alert_id"], day: Day(row["day"] as String) ?? Day(dayNumber: 0),
             messages: row["messages"], relay: row["relay"],
             releasedAt: (row["released_at"] as Double?).map(Date.init(timeIntervalSince1970:)), releasedBy: row["released_by"])
    }
}
