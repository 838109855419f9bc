import Foundation
import Pipeline
import PostgresNIO

/// Containment holds (``HoldLedger``), fleet-wide: every relay's map holds every account any relay put on hold.
extension PostgresStateStore: HoldLedger {
    public func holds(action: String?, includeReleased: Bool) throws -> [Hold] {
        // A state opened read-only keeps its schema: before fleet-v2 there are no holds.
        guard try session.rows("SELECT to_regclass('hold') IS NOT NULL").first?.decode(Bool.self) == true else { return [] }
        let rows = try session.rows("""
            SELECT action, key, "user", since, alert_id, day, messages, relay, released_at, released_by FROM hold
            WHERE (\(action)::text IS NULL OR action = \(action)) AND (\(includeReleased) OR released_at IS NULL) ORDER BY id
            """)
        return try rows.map(Self.hold)
    }

    private static func hold(_ row: PostgresRow) throws -> Hold {
        let (action, key, user, since, alertID, day, messages, relay, releasedAt, releasedBy) =
            try row.decode((String, String, String, Double, Int64, String, Int64, String, Double?, String?).self)
        return Hold(action: action, key: key, user: user, since: Date(timeIntervalSince1970: since), alertID: alertID,
                    day: Day(day) ?? Day(dayNumber: 0), messages: Int(messages), relay: relay,
                    releasedAt: releasedAt.map(Date.init(timeIntervalSince1970:)), releasedBy: releasedBy)
    }

    public func recordHolds(_ holds: [Hold]) throws {
        guard !holds.isEmpty else { return }
        try transaction {
            for hold in holds {
                let updated = try session.execute("""
                    UPDATE hold SET alert_id = \(hold.alertID), day = \(hold.day.description), messages = \(Int64(hold.messages))
                    WHERE action = \(hold.action) AND key = \(hold.key) AND released_at IS NULL
                    """)
                if updated == 0 {
                    // Another relay holding the same account at once: the unique index keeps one hold in force.
                    try session.execute("""
                        INSERT INTO hold (action, key, "user", since, alert_id, day, messages, relay)
                        VALUES (\(hold.action), \(hold.key), \(hold.user), \(hold.since.timeIntervalSince1970), \(hold.alertID),
                                \(hold.day.description), \(Int64(hold.messages)), \(hold.relay))
                        ON CONFLICT (action, key) WHERE released_at IS NULL DO NOTHING
                        """)
                }
            }
        }
    }

    public func releaseHolds(keys: [String], action: String?, at date: Date, by who: String) throws -> [Hold] {
        guard !keys.isEmpty else { return [] }
        let rows = try transaction {
            try session.rows("""
                UPDATE hold SET released_at = \(date.timeIntervalSince1970), released_by = \(who)
                WHERE key = ANY(\(keys)) AND released_at IS NULL AND (\(action)::text IS NULL OR action = \(action))
                RETURNING action, key, "user", since, alert_id, day, messages, relay, released_at, released_by
                """)
        }
        return try rows.map(Self.hold)
    }

    public func recordContainment(_ text: String, action: String, alertID: Int64) throws {
        try transaction {
            guard let payload = try session.rows("SELECT payload FROM alert WHERE id = \(alertID) FOR UPDATE").first?.decode(String.self) else { return }
            var alert = try Alert(payload: payload)
            alert.containment = (alert.containment ?? [:]).merging([action: text]) { $1 }
            try session.execute("UPDATE alert SET payload = \(try alert.payload()) WHERE id = \(alertID)")
        }
    }
}
