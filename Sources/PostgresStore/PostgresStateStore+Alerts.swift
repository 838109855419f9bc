import Foundation
import Pipeline
import PostgresNIO

/// Fleet-wide alerts and deliveries: one alert per user, day and sequence whichever relay noticed first, and each
/// pending delivery claimed by one relay at a time with a lease.
extension PostgresStateStore {
    /// The namespace of the per-user-and-day alert locks (the first key of `pg_advisory_xact_lock(int, int)`).
    static let alertLockNamespace: Int32 = 0x6d76_7033 // "mvp3"

    public func latestAlert(user: String, day: Day) throws -> AlertRecord? {
        let rows = try session.rows("""
            SELECT a.id, a.messages, a.sequence,
                   EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = a.id AND d.delivered_at IS NOT NULL)
            FROM alert a WHERE a.day = \(day.description) AND a."user" = \(user) ORDER BY a.id DESC LIMIT 1
            """)
        return try rows.first.map { row in
            let (id, messages, sequence, delivered) = try row.decode((Int64, Int64, Int32, Bool).self)
            return AlertRecord(id: id, messages: Int(messages), sequence: Int(sequence), deliveredAnywhere: delivered)
        }
    }

    /// Saves alerts as ``StateStore/saveAlerts(_:notifiers:)`` says, fleet-wide: a new alert whose user, day and
    /// sequence another relay has already raised (both noticed at once) is dropped, not raised twice, and is not
    /// among the returned alerts. One relay's own runs never race (its run lock), so for one relay this is the SQLite
    /// store's behaviour.
    public func saveAlerts(_ drafts: [AlertDraft], notifiers: [String]) throws -> [Alert] {
        guard !drafts.isEmpty else { return [] }
        return try transaction {
            var saved: [Alert] = []
            for draft in drafts {
                var alert = draft.alert
                let day = alert.day.description
                if let id = draft.replacing {
                    alert.id = id
                    try session.execute("""
                        UPDATE alert SET messages = \(Int64(alert.messages)), payload = \(try alert.payload()),
                            raised_at = \(alert.raisedAt.timeIntervalSince1970) WHERE id = \(id)
                        """)
                    saved.append(alert)
                    continue
                }
                // Serializes relays raising an alert for this user and day; held until the transaction ends.
                try session.execute("SELECT pg_advisory_xact_lock(\(Self.alertLockNamespace), hashtext(\(day + "\n" + alert.user)))")
                let taken = try session.rows("""
                    SELECT 1 FROM alert WHERE day = \(day) AND "user" = \(alert.user) AND sequence >= \(Int32(alert.sequence)) AND relay <> \(relay)
                    """)
                if !taken.isEmpty { continue }
                let id = try session.rows("""
                    INSERT INTO alert (day, "user", messages, sequence, payload, raised_at, relay)
                    VALUES (\(day), \(alert.user), \(Int64(alert.messages)), \(Int32(alert.sequence)), '', \(alert.raisedAt.timeIntervalSince1970), \(relay))
                    RETURNING id
                    """).first!.decode(Int64.self)
                alert.id = id
                try session.execute("UPDATE alert SET payload = \(try alert.payload()) WHERE id = \(id)")
                // An escalation supersedes earlier alerts of the same user and day not yet delivered.
                try session.execute("""
                    UPDATE delivery SET superseded = true WHERE delivered_at IS NULL AND alert_id IN
                        (SELECT id FROM alert WHERE day = \(day) AND "user" = \(alert.user) AND id < \(id))
                    """)
                if !notifiers.isEmpty {
                    try session.execute("""
                        INSERT INTO delivery (alert_id, notifier) SELECT \(id), n FROM unnest(\(notifiers)::text[]) AS t(n)
                        """)
                }
                saved.append(alert)
            }
            return saved
        }
    }

    /// Claims and returns the alerts of days from `since` on that `notifier` has not delivered and no other relay
    /// holds a live claim on: each returned delivery is leased to this relay for ``lease`` seconds (rows another
    /// relay is claiming right now are skipped, `FOR UPDATE SKIP LOCKED`). This relay's own earlier claims are
    /// returned again, so a retry in the same or the next run sees them; another relay sees them once the lease
    /// expired (the relay died mid-delivery). ``recordDelivery(alertIDs:notifier:at:)`` and
    /// ``recordFailure(alertIDs:notifier:error:at:)`` end the claim.
    public func pendingAlerts(notifier: String, since: Day) throws -> [Alert] {
        let payloads: [String] = try transaction {
            let claimed = try session.rows("""
                WITH c AS (
                    SELECT d.alert_id FROM delivery d JOIN alert a ON a.id = d.alert_id
                    WHERE d.notifier = \(notifier) AND d.delivered_at IS NULL AND NOT d.superseded AND a.day >= \(since.description)
                      AND (d.lease_until IS NULL OR d.lease_until < clock_timestamp() OR d.lease_relay = \(relay))
                    FOR UPDATE OF d SKIP LOCKED)
                UPDATE delivery SET lease_until = clock_timestamp() + make_interval(secs => \(Double(lease))), lease_relay = \(relay)
                FROM c WHERE delivery.alert_id = c.alert_id AND delivery.notifier = \(notifier)
                RETURNING delivery.alert_id
                """).map { try $0.decode(Int64.self) }
            guard !claimed.isEmpty else { return [] }
            return try session.rows("""
                SELECT payload FROM alert WHERE id = ANY(\(claimed)) ORDER BY day, "user", id
                """).map { try $0.decode(String.self) }
        }
        return try payloads.map { try Alert(payload: $0) }
    }

    /// Counts what ``pendingAlerts(notifier:since:)`` would find for the whole fleet, claimed or not, claiming none.
    public func pendingCount(notifier: String, since: Day) throws -> Int {
        Int(try session.rows("""
            SELECT count(*) FROM delivery d JOIN alert a ON a.id = d.alert_id
            WHERE d.notifier = \(notifier) AND d.delivered_at IS NULL AND NOT d.superseded AND a.day >= \(since.description)
            """).first?.decode(Int64.self) ?? 0)
    }

    public func recordDelivery(alertIDs: [Int64], notifier: String, at date: Date) throws {
        guard !alertIDs.isEmpty else { return }
        try transaction {
            try session.execute("""
                UPDATE delivery SET delivered_at = \(date.timeIntervalSince1970), delivered_by = \(relay), attempts = attempts + 1,
                    last_error = NULL, lease_until = NULL, lease_relay = NULL
                WHERE alert_id = ANY(\(alertIDs)) AND notifier = \(notifier)
                """)
        }
    }

    public func recordFailure(alertIDs: [Int64], notifier: String, error: String, at date: Date) throws {
        guard !alertIDs.isEmpty else { return }
        try transaction {
            try session.execute("""
                UPDATE delivery SET attempts = attempts + 1, last_error = \(String(error.prefix(500))),
                    lease_until = NULL, lease_relay = NULL
                WHERE alert_id = ANY(\(alertIDs)) AND notifier = \(notifier)
                """)
        }
    }
}
