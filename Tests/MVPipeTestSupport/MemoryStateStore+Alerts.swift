import Foundation
import Pipeline

/// The alert log and each notifier's delivery record.
extension MemoryStateStore {
    public func latestAlert(user: String, day: Day) throws -> AlertRecord? {
        read { tables in
            guard let alert = tables.alerts.values.filter({ $0.user == user && $0.day == day }).max(by: { $0.id < $1.id }) else {
                return nil
            }
            let delivered = tables.deliveries.contains { $0.key.alertID == alert.id && $0.value.deliveredAt != nil }
            return AlertRecord(id: alert.id, messages: alert.messages, sequence: alert.sequence, deliveredAnywhere: delivered)
        }
    }

    public func saveAlerts(_ drafts: [AlertDraft], notifiers: [String]) throws -> [Alert] {
        write { tables in
            var saved: [Alert] = []
            for draft in drafts {
                var alert = draft.alert
                if let id = draft.replacing {
                    // Like an SQL UPDATE: an id that is not there changes nothing.
                    alert.id = id
                    if tables.alerts[id] != nil { tables.alerts[id] = alert }
                } else {
                    tables.lastAlertID += 1
                    alert.id = tables.lastAlertID
                    // An escalation supersedes earlier alerts of the same user and day not yet delivered.
                    for (key, delivery) in tables.deliveries where delivery.deliveredAt == nil {
                        if let earlier = tables.alerts[key.alertID], earlier.day == alert.day, earlier.user == alert.user,
                           earlier.id < alert.id {
                            tables.deliveries[key]?.superseded = true
                        }
                    }
                    for notifier in notifiers {
                        tables.deliveries[Key(alertID: alert.id, notifier: notifier)] = Delivery()
                    }
                    tables.alerts[alert.id] = alert
                }
                saved.append(alert)
            }
            return saved
        }
    }

    public func pendingAlerts(notifier: String, since: Day) throws -> [Alert] {
        read { tables in
            tables.deliveries
                .filter { $0.key.notifier == notifier && $0.value.deliveredAt == nil && !$0.value.superseded }
                .compactMap { tables.alerts[$0.key.alertID] }
                .filter { $0.day >= since }
                .sorted { ($0.day, $0.user, $0.id) < ($1.day, $1.user, $1.id) }
        }
    }

    public func recordDelivery(alertIDs: [Int64], notifier: String, at date: Date) throws {
        write { tables in
            for id in alertIDs {
                let key = Key(alertID: id, notifier: notifier)
                guard tables.deliveries[key] != nil else { continue }
                tables.deliveries[key]?.deliveredAt = date
                tables.deliveries[key]?.attempts += 1
                tables.deliveries[key]?.lastError = nil
            }
        }
    }

    public func recordFailure(alertIDs: [Int64], notifier: String, error: String, at date: Date) throws {
        write { tables in
            for id in alertIDs {
                let key = Key(alertID: id, notifier: notifier)
                guard tables.deliveries[key] != nil else { continue }
                tables.deliveries[key]?.attempts += 1
                tables.deliveries[key]?.lastError = String(error.prefix(500))
            }
        }
    }

    // MARK: for tests to look at

    /// Every alert, by id.
    public var alerts: [Alert] {
        read { $0.alerts.values.sorted { $0.id < $1.id } }
    }

    /// `notifier`'s record of the alert `alertID`, if it has one.
    public func delivery(alertID: Int64, notifier: String) -> Delivery? {
        read { $0.deliveries[Key(alertID: alertID, notifier: notifier)] }
    }
}
