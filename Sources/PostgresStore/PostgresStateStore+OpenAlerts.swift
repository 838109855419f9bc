import Pipeline

extension PostgresStateStore {
    public func queueOpenAlerts(notifier: String, day: Day) throws -> Int {
        let text = day.description
        return try transaction {
            try session.rows("""
                INSERT INTO delivery (alert_id, notifier)
                SELECT a.id, \(notifier) FROM alert a
                WHERE a.day = \(text)
                  AND NOT EXISTS (SELECT 1 FROM alert b WHERE b.day = a.day AND b."user" = a."user" AND b.id > a.id)
                  AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = a.id AND d.notifier = \(notifier))
                ON CONFLICT DO NOTHING
                RETURNING alert_id
                """).count
        }
    }
}
