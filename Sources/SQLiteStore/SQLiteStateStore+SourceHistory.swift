import Foundation
import GRDB
import Pipeline

/// One source's own stored rows, for the rule that what a source found before is never silently replaced by less.
extension SQLiteStateStore {
    public func volumes(source: String, on day: Day) throws -> [String: UserVolume] {
        try access {
            try queue.read { db in
                var result: [String: UserVolume] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT user, messages, recipients FROM volume WHERE source = ? AND day = ?",
                                               arguments: [source, day.description])
                while let row = try rows.next() {
                    result[row["user"]] = UserVolume(messages: row["messages"], recipients: row["recipients"])
                }
                return result
            }
        }
    }

    public func latestDayWithMessages(source: String, among days: [Day]) throws -> Day? {
        guard let first = days.min(), let last = days.max() else { return nil }
        let wanted = Set(days)
        return try access {
            try queue.read { db in
                // Newest first along the primary key (source, day, user); most days hold mail, so this stops early.
                let rows = try String.fetchCursor(db, sql: """
                    SELECT DISTINCT day FROM volume WHERE source = ? AND day BETWEEN ? AND ? AND messages > 0 ORDER BY day DESC
                    """, arguments: [source, first.description, last.description])
                while let text = try rows.next() {
                    if let day = Day(text), wanted.contains(day) { return day }
                }
                return nil
            }
        }
    }

    public func buckets(source: String, users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        guard !users.isEmpty else { return [:] }
        let span: [any DatabaseValueConvertible] = [source, Int64(from.timeIntervalSince1970.rounded(.down)),
                                                    Int64(to.timeIntervalSince1970.rounded(.up))]
        return try access {
            try queue.read { db in
                var result: [String: [Int64: Int]] = [:]
                for chunk in Self.chunks(users) {
                    let rows = try Row.fetchCursor(db, sql: """
                        SELECT user, start, messages FROM bucket
                        WHERE source = ? AND start >= ? AND start < ? AND user IN (\(Self.placeholders(chunk.count)))
                        """, arguments: StatementArguments(span + chunk))
                    while let row = try rows.next() {
                        result[row["user"] as String, default: [:]][row["start"]] = row["messages"]
                    }
                }
                return result
            }
        }
    }
}
