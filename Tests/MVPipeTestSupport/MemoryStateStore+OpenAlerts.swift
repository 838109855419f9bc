import Pipeline

extension MemoryStateStore {
    public func queueOpenAlerts(notifier: String, day: Day) throws -> Int {
        write { tables in
            var latest: [String: Int64] = [:]
            for alert in tables.alerts.values where alert.day == day {
                latest[alert.user] = max(latest[alert.user] ?? 0, alert.id)
            }
            var queued = 0
            for id in latest.values where tables.deliveries[Key(alertID: id, notifier: notifier)] == nil {
                tables.deliveries[Key(alertID: id, notifier: notifier)] = Delivery()
                queued += 1
            }
            return queued
        }
    }
}
