import GRDB
import Pipeline

extension SQLiteStateStore: StateMaintenance {
    public var schema: StateSchemaStatus { openedSchema }

    public func prune(_ plan: PrunePlan, dryRun: Bool) throws -> PruneReport {
        let before = plan.before.description, retryFrom = plan.retryFrom.description
        // An alert is pending while some notifier has neither delivered it nor seen it superseded.
        let pending = "EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = alert.id AND d.delivered_at IS NULL AND d.superseded = 0)"
        let doomed = "day < ?1 AND (NOT \(pending) OR day < ?2)"
        return try access {
            var report = PruneReport()
            try queue.inTransaction(.immediate) { db in
                report.keptPendingAlerts = try Int.fetchOne(db, sql: "SELECT count(*) FROM alert WHERE day < ?1 AND day >= ?2 AND \(pending)",
                                                            arguments: [before, retryFrom]) ?? 0
                report.expiredAlerts = try Int.fetchOne(db, sql: "SELECT count(*) FROM alert WHERE day < ?1 AND day < ?2 AND \(pending)",
                                                        arguments: [before, retryFrom]) ?? 0
                report.deliveries = try Int.fetchOne(db, sql: "SELECT count(*) FROM delivery WHERE alert_id IN (SELECT id FROM alert WHERE \(doomed))",
                                                     arguments: [before, retryFrom]) ?? 0
                try db.execute(sql: "DELETE FROM delivery WHERE alert_id IN (SELECT id FROM alert WHERE \(doomed))", arguments: [before, retryFrom])
                try db.execute(sql: "DELETE FROM alert WHERE \(doomed)", arguments: [before, retryFrom])
                report.settledAlerts = db.changesCount - report.expiredAlerts
                try db.execute(sql: "DELETE FROM volume WHERE day < ?", arguments: [before])
                report.volumeRows = db.changesCount
                try db.execute(sql: "DELETE FROM source_day WHERE day < ?", arguments: [before])
                report.sourceDays = db.changesCount
                try db.execute(sql: "DELETE FROM bucket WHERE start < ?", arguments: [plan.bucketsBefore])
                report.buckets = db.changesCount
                // Holds in force are never pruned: without them the next run would write the map without the account.
                try db.execute(sql: "DELETE FROM hold WHERE released_at IS NOT NULL AND released_at < ?", arguments: [plan.bucketsBefore])
                report.releasedHolds = db.changesCount
                report.keptHolds = try Int.fetchOne(db, sql: "SELECT count(*) FROM hold WHERE released_at IS NULL") ?? 0
                try db.execute(sql: "DELETE FROM client_ip WHERE day < ?", arguments: [plan.clientIPsBefore.description])
                report.clientIPs = db.changesCount
                // A silence in force (or one that ended after the cut-off) stays; `until` is its last day.
                try db.execute(sql: "DELETE FROM silence WHERE until < ?", arguments: [before])
                report.endedSilences = db.changesCount
                report.keptSilences = try Int.fetchOne(db, sql: "SELECT count(*) FROM silence") ?? 0
                return dryRun ? .rollback : .commit
            }
            if !dryRun { TestKillPoint.commit.reached() }
            return report
        }
    }
}
