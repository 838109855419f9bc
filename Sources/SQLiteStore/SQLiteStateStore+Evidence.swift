import Foundation
import GRDB
import Pipeline

/// The alert's evidence: client IPs per source, day and user (table `client_ip`), and recipients per day.
extension SQLiteStateStore: EvidenceStore {
    /// Migration "v5: evidence".
    static func evidenceMigration(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE client_ip (
                source TEXT NOT NULL, day TEXT NOT NULL, user TEXT NOT NULL, ip TEXT NOT NULL, messages INTEGER NOT NULL,
                PRIMARY KEY (user, day, source, ip)) WITHOUT ROWID;
            CREATE INDEX client_ip_day ON client_ip(day);
            """)
    }

    /// Adds a report's client IPs (in ``apply(_:source:at:)``'s transaction).
    static func storeClientIPs(_ report: VolumeReport, source: String, db: Database) throws {
        guard let newest = report.clientIPs.keys.max() else { return }
        try db.execute(sql: "DELETE FROM client_ip WHERE day < ?",
                       arguments: [newest.adding(days: -ClientIPEvidence.retentionDays).description])
        let statement = try db.cachedStatement(sql: """
            INSERT INTO client_ip (source, day, user, ip, messages) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (user, day, source, ip) DO UPDATE SET messages = messages + excluded.messages
            """)
        for (day, users) in report.clientIPs {
            for (user, ips) in users {
                for (ip, messages) in ips {
                    try statement.execute(arguments: [source, day.description, user, ip, messages])
                }
            }
        }
    }

    public func clientIPs(user: String, from: Day, through: Day) throws -> [Day: [String: Int]] {
        try access {
            try queue.read { db in
                var result: [Day: [String: Int]] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT day, ip, SUM(messages) AS messages FROM client_ip
                    WHERE user = ? AND day >= ? AND day <= ? GROUP BY day, ip
                    """, arguments: [user, from.description, through.description])
                while let row = try rows.next() {
                    guard let day = Day(row["day"] as String) else { continue }
                    result[day, default: [:]][row["ip"] as String] = row["messages"]
                }
                return result
            }
        }
    }

    public func dailyRecipients(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        try dailySums(.recipients, users: users, days: days)
    }
}
