import GRDB
import Pipeline

extension SQLiteStateStore {
    public func queueOpenAlerts(notifier: String, day: Day) throws -> Int {
        try access {
            try commit { db in
                try db.execute(sql: """
                    INSERT INTO delivery (alert_id, notifier)
                    SELECT a.id, ? FROM alert a
                    WHERE a.day = ?
                      AND NOT EXISTS (SELECT 1 FROM alert b WHERE b.day = a.day AND b.user = a.user AND b.id > a.id)
                      AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = a.id AND d.notifier = ?)
                    """, arguments: [notifier, day.description, notifier])
                return db.changesCount
            }
        }
    }
}
