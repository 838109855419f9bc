/// How many alerts wait for a notifier, for metrics: only looks, never claims.
extension StateStore {
    /// How many alerts of days from `since` on `notifier` has not delivered. By default the count of
    /// ``pendingAlerts(notifier:since:)``; a shared store whose ``pendingAlerts(notifier:since:)`` claims what it
    /// returns (PostgreSQL) counts without claiming.
    public func pendingCount(notifier: String, since: Day) throws -> Int {
        try pendingAlerts(notifier: notifier, since: since).count
    }
}
