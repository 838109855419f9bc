import Pipeline
import PostgresNIO

/// `state prune` and `state check` on the fleet's database; `state export` and `import` are not there yet.
extension PostgresStateStore: StateMaintenance {
    public var schema: StateSchemaStatus { openedSchema }

    /// Prunes the whole fleet's history (every relay's), as the SQLite store prunes one relay's.
    public func prune(_ plan: PrunePlan, dryRun: Bool) throws -> PruneReport {
        let before = plan.before.description, retryFrom = plan.retryFrom.description
        let pending = "EXISTS (SELECT 1 FROM delivery d WHERE d.alert_id = alert.id AND d.delivered_at IS NULL AND NOT d.superseded)"
        var report = PruneReport()
        try session.execute(scratch ? "SAVEPOINT prune" : "BEGIN")
        do {
            func count(_ sql: String) throws -> Int {
                Int(try session.rows(PostgresQuery(unsafeSQL: sql)).first?.decode(Int64.self) ?? 0)
            }
            let doomed = "day < '\(before)' AND (NOT \(pending) OR day < '\(retryFrom)')"
            report.keptPendingAlerts = try count("SELECT count(*) FROM alert WHERE day < '\(before)' AND day >= '\(retryFrom)' AND \(pending)")
            report.expiredAlerts = try count("SELECT count(*) FROM alert WHERE day < '\(before)' AND day < '\(retryFrom)' AND \(pending)")
            report.deliveries = try count("SELECT count(*) FROM delivery WHERE alert_id IN (SELECT id FROM alert WHERE \(doomed))")
            let alerts = try session.execute(PostgresQuery(unsafeSQL: "DELETE FROM alert WHERE \(doomed)"))
            report.settledAlerts = alerts - report.expiredAlerts
            report.volumeRows = try session.execute("DELETE FROM volume WHERE day < \(before)")
            report.sourceDays = try session.execute("DELETE FROM source_day WHERE day < \(before)")
            report.buckets = try session.execute("DELETE FROM bucket WHERE start < \(plan.bucketsBefore)")
            if dryRun || scratch {
                try session.execute(scratch ? "ROLLBACK TO SAVEPOINT prune" : "ROLLBACK")
            } else {
                try session.execute("COMMIT")
                TestKillPoint.commit.reached()
            }
        } catch {
            _ = try? session.execute(scratch ? "ROLLBACK TO SAVEPOINT prune" : "ROLLBACK")
            throw error
        }
        return report
    }

    public func export(_ writeLine: (String) throws -> Void) throws -> [String: Int] {
        throw StateError.unusable("`mvpipe state export` of a PostgreSQL state is not available in this build yet; use pg_dump")
    }

    public func importRows(from file: StateExportReader, replace: Bool) throws -> [String: Int] {
        throw StateError.unusable("`mvpipe state import` into a PostgreSQL state is not available in this build yet")
    }

    /// The schema, the relays that stored counts, and the deliveries claimed right now.
    public func check(_ expectations: StateCheckExpectations) throws -> StateCheckReport {
        var report = StateCheckReport()
        report.facts.append("PostgreSQL state, \(openedSchema.summary); this relay: \(relay)")
        if !openedSchema.unknown.isEmpty {
            report.problems.append("the schema has steps this mvpipe does not know: \(openedSchema.unknown.joined(separator: ", "))")
        }
        let relays = try session.rows("SELECT DISTINCT relay FROM source_day ORDER BY relay").map { try $0.decode(String.self) }
        report.facts.append("relays with stored counts: \(relays.isEmpty ? "none" : relays.joined(separator: ", "))")
        let claimed = try session.rows("SELECT count(*) FROM delivery WHERE lease_until > clock_timestamp()").first?.decode(Int64.self) ?? 0
        report.facts.append("deliveries claimed by a relay right now: \(claimed)")
        return report
    }
}
