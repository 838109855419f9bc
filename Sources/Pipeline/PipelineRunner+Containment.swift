import Foundation

/// Containment actions (``ContainmentAction``) run before every other notifier, so what they did is in every
/// channel's text.
extension PipelineRunner {
    /// The notifier entries that are containment actions.
    var containmentActions: [(name: String, action: any ContainmentAction)] {
        config.notifiers.compactMap { entry in (entry.plugin as? any ContainmentAction).map { (entry.name, $0) } }
    }

    /// Runs every containment action on the alerts it has not handled yet, stores what it said about each, and
    /// records the delivery (or the failure, retried on the next run) like any notifier's.
    func contain(now: Date, since: Day, into results: inout [String: DeliveryResult]) throws {
        for (name, action) in containmentActions {
            guard let ledger = store.holdLedger else {
                throw StateError.unusable("this state store cannot record holds, which notifier \(name) needs")
            }
            let pending = try store.pendingAlerts(notifier: name, since: since)
            let batch = AlertBatch(host: config.hostName, alerts: pending, calendar: config.calendar)
            let outcome = try action.contain(ContainmentRequest(
                batch: batch, ledger: ledger, now: now, dryRun: false, realertFactor: config.realertFactor,
                configFile: config.configFile))
            for alert in pending {
                if let note = outcome.notes[alert.id] {
                    try ledger.recordContainment(note, action: name, alertID: alert.id)
                }
            }
            let ids = pending.map(\.id)
            if let error = outcome.error {
                try store.recordFailure(alertIDs: ids, notifier: name, error: error.message, at: Date())
                logger.error("notifier \(name) failed, \(pending.count) alert(s) stay queued for the next run: \(error.message)")
                results[name] = DeliveryResult(delivered: 0, pending: pending.count, error: error.message)
            } else if !pending.isEmpty {
                try store.recordDelivery(alertIDs: ids, notifier: name, at: Date())
                logger.info("notifier \(name): handled \(pending.count) alert(s)")
                results[name] = DeliveryResult(delivered: pending.count, pending: 0, error: nil)
            }
        }
    }

    /// What the containment actions would do about `alerts` (a dry run: nothing is written or reloaded).
    func planContainment(_ alerts: [Alert], now: Date) throws -> [Alert] {
        var alerts = alerts
        for (name, action) in containmentActions {
            guard let ledger = store.holdLedger, !alerts.isEmpty else { continue }
            let batch = AlertBatch(host: config.hostName, alerts: alerts, calendar: config.calendar)
            let outcome = try action.contain(ContainmentRequest(
                batch: batch, ledger: ledger, now: now, dryRun: true, realertFactor: config.realertFactor,
                configFile: config.configFile))
            for i in alerts.indices {
                if let note = outcome.notes[alerts[i].id] { alerts[i].containment = (alerts[i].containment ?? [:]).merging([name: note]) { $1 } }
            }
        }
        return alerts
    }
}
