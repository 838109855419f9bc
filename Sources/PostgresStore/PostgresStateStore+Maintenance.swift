import Foundation
import NIOCore
import Pipeline
import PostgresNIO

/// `state prune`, `state check` and `state import` (a relay's SQLite export, tagged with this relay, holds, client IPs and
/// silences included) on the fleet's
/// database; `state export` is not there yet.
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
            // Holds in force are never pruned: without them the next run would write the maps without the account.
            report.releasedHolds = try session.execute(
                "DELETE FROM hold WHERE released_at IS NOT NULL AND released_at < \(Double(plan.bucketsBefore))")
            report.keptHolds = try count("SELECT count(*) FROM hold WHERE released_at IS NULL")
            report.clientIPs = try session.execute("DELETE FROM client_ip WHERE day < \(plan.clientIPsBefore.description)")
            // A silence in force (or one that ended after the cut-off) stays; `until` is its last day.
            report.endedSilences = try session.execute("DELETE FROM silence WHERE until < \(before)")
            report.keptSilences = try count("SELECT count(*) FROM silence")
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

    /// Imports a relay's export (`mvpipe state export` of its SQLite state) as this relay's part of the fleet: its
    /// counts, buckets, final days and checkpoints get this relay's name; its alerts join the fleet's alert log with
    /// new ids (the fleet hands out ids; an alert whose user, day and sequence the fleet already has is left out,
    /// with its deliveries). Its client IPs are tagged with this relay; its silences join the fleet's (a user the fleet
    /// silences already keeps that silence). Refuses when this relay already holds rows, unless `replace`, which first
    /// discards this relay's rows, the alerts it raised and the silences set from it. One transaction.
    public func importRows(from file: StateExportReader, replace: Bool) throws -> [String: Int] {
        try transaction {
            let held = try session.rows("""
                SELECT (SELECT count(*) FROM volume WHERE relay = \(relay)) + (SELECT count(*) FROM source_day WHERE relay = \(relay))
                     + (SELECT count(*) FROM source_checkpoint WHERE relay = \(relay)) + (SELECT count(*) FROM bucket WHERE relay = \(relay))
                     + (SELECT count(*) FROM alert WHERE relay = \(relay)) + (SELECT count(*) FROM hold WHERE relay = \(relay))
                     + (SELECT count(*) FROM client_ip WHERE relay = \(relay)) + (SELECT count(*) FROM silence WHERE relay = \(relay))
                """).first?.decode(Int64.self) ?? 0
            if held > 0 {
                guard replace else {
                    throw StateImportError.notEmpty("relay \(relay) already holds \(held) rows in \(session.name); import only a relay that has no state there yet, or pass --replace to discard this relay's rows (the import and the discard are one transaction)")
                }
                for table in ["volume", "source_day", "source_checkpoint", "bucket", "alert", "hold", "client_ip", "silence"] {
                    try session.execute(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE relay = $1", binds: Self.binds([.text(relay)])))
                }
            }
            var counts: [String: Int] = [:]
            var newIDs: [Int64: Int64] = [:]
            var alertIDs: [Int64: Int64] = [:]  // every alert of the file the fleet has, inserted now or before
            var deliveries: [StateRow] = []
            var holds: [StateRow] = []
            // The command checked the export's schema against this build's export format (StateStoreFactory) already.
            try file.read(currentSchema: .max) { row in
                let values = row.values
                let sql: String
                var binds = values
                switch row.table.name {
                case "volume":
                    sql = "INSERT INTO volume (relay, source, day, \"user\", messages, recipients) VALUES ($1, $2, $3, $4, $5, $6)"
                case "source_day":
                    sql = "INSERT INTO source_day (relay, source, day, final, updated_at) VALUES ($1, $2, $3, $4 <> 0, $5)"
                case "source_checkpoint":
                    sql = "INSERT INTO source_checkpoint (relay, source, data, updated_at) VALUES ($1, $2, $3, $4)"
                case "bucket":
                    sql = "INSERT INTO bucket (relay, source, \"user\", start, messages) VALUES ($1, $2, $3, $4, $5)"
                case "alert":
                    guard case .integer(let oldID) = values[0], case .text(let payload) = values[5] else { return }
                    let inserted = try Self.insertAlert(session, values: values, relay: relay, line: row.line)
                    guard let id = inserted else {
                        // The fleet has this alert already: its deliveries are left out, but a hold still names it.
                        alertIDs[oldID] = try Self.existingAlert(session, values: values)
                        return
                    }
                    alertIDs[oldID] = id
                    newIDs[oldID] = id
                    var alert = try Alert(payload: payload)
                    alert.id = id
                    try session.execute("UPDATE alert SET payload = \(try alert.payload()) WHERE id = \(id)")
                    counts["alert", default: 0] += 1
                    return
                case "delivery":
                    deliveries.append(row)
                    return
                case "hold":
                    holds.append(row)
                    return
                case "client_ip":
                    sql = "INSERT INTO client_ip (relay, source, day, \"user\", ip, messages) VALUES ($1, $2, $3, $4, $5, $6)"
                case "silence":
                    // Silences are the fleet's: one the fleet already has for the user stays (the report says so).
                    do {
                        let inserted = try session.execute(PostgresQuery(unsafeSQL: """
                            INSERT INTO silence ("user", until, reason, created_at, relay) VALUES ($1, $2, $3, $4, $5)
                            ON CONFLICT ("user") DO NOTHING
                            """, binds: Self.binds(values + [.text(relay)])))
                        if inserted > 0 { counts["silence", default: 0] += 1 }
                    } catch let error as StateError {
                        throw StateImportError.invalidLine(line: row.line, message: "cannot store this silence row: \(error)")
                    }
                    return
                default:
                    return
                }
                binds.insert(.text(relay), at: 0)
                do {
                    try session.execute(PostgresQuery(unsafeSQL: sql, binds: Self.binds(binds)))
                } catch let error as StateError {
                    throw StateImportError.invalidLine(line: row.line, message: "cannot store this \(row.table.name) row: \(error)")
                }
                counts[row.table.name, default: 0] += 1
            }
            for row in deliveries {
                guard case .integer(let oldID) = row.values[0], let id = newIDs[oldID] else { continue }
                var values = row.values
                values[0] = .integer(id)
                try session.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO delivery (alert_id, notifier, delivered_at, superseded, attempts, last_error, delivered_by)
                    VALUES ($1, $2, $3, $4 <> 0, $5, $6, CASE WHEN $3 IS NULL THEN NULL ELSE $7 END)
                    """, binds: Self.binds(values + [.text(relay)])))
                counts["delivery", default: 0] += 1
            }
            for row in holds {
                if try insertHold(row, alertIDs: alertIDs) { counts["hold", default: 0] += 1 }
            }
            return counts
        }
    }

    /// Inserts an exported alert with a new id; nil when the fleet already has its user, day and sequence.
    private static func insertAlert(_ session: PostgresSession, values: [StateValue], relay: String, line: Int) throws -> Int64? {
        let rows = try session.rows(PostgresQuery(unsafeSQL: """
            INSERT INTO alert (day, "user", messages, sequence, payload, raised_at, relay) VALUES ($1, $2, $3, $4, '', $5, $6)
            ON CONFLICT (day, "user", sequence) DO NOTHING RETURNING id
            """, binds: binds([values[1], values[2], values[3], values[4], values[6], .text(relay)])))
        return try rows.first?.decode(Int64.self)
    }

    /// The id of the fleet's alert with an exported alert's day, user and sequence.
    private static func existingAlert(_ session: PostgresSession, values: [StateValue]) throws -> Int64? {
        try session.rows(PostgresQuery(unsafeSQL: "SELECT id FROM alert WHERE day = $1 AND \"user\" = $2 AND sequence = $3",
                                       binds: binds([values[1], values[2], values[4]]))).first?.decode(Int64.self)
    }

    /// Inserts an exported hold as this relay's, naming the alert by its id in the fleet (0 when the file does not
    /// have the alert any more); false when the fleet already holds the same action and key (that hold stays).
    private func insertHold(_ row: StateRow, alertIDs: [Int64: Int64]) throws -> Bool {
        var values = Array(row.values.dropFirst())  // the fleet hands out hold ids
        if case .integer(let old) = values[4] { values[4] = .integer(alertIDs[old] ?? 0) }
        values[7] = .text(relay)
        do {
            return try session.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO hold (action, key, "user", since, alert_id, day, messages, relay, released_at, released_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (action, key) WHERE released_at IS NULL DO NOTHING
                """, binds: Self.binds(values))) > 0
        } catch let error as StateError {
            throw StateImportError.invalidLine(line: row.line, message: "cannot store this hold row: \(error)")
        }
    }

    /// Export values as statement parameters.
    static func binds(_ values: [StateValue]) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let i): binds.append(i)
            case .real(let d): binds.append(d)
            case .text(let t): binds.append(t)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            }
        }
        return binds
    }

    /// The schema, the relays that stored counts, the deliveries claimed right now, holds, client IPs and silences.
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
        if try session.rows("SELECT to_regclass('hold') IS NOT NULL").first?.decode(Bool.self) == true {
            var active: Int64 = 0, released: Int64 = 0
            if let row = try session.rows("""
                SELECT count(*) FILTER (WHERE released_at IS NULL), count(*) FILTER (WHERE released_at IS NOT NULL) FROM hold
                """).first {
                (active, released) = try row.decode((Int64, Int64).self)
            }
            report.facts.append("holds: \(active) in force, \(released) released")
        }
        if try session.rows("SELECT to_regclass('client_ip') IS NOT NULL").first?.decode(Bool.self) == true,
           let row = try session.rows("SELECT count(*), count(DISTINCT \"user\"), min(day), max(day) FROM client_ip").first {
            let (rows, users, first, last) = try row.decode((Int64, Int64, String?, String?).self)
            report.facts.append(StateCheckReport.clientIPFact(rows: Int(rows), users: Int(users), first: first, last: last))
        }
        if try session.rows("SELECT to_regclass('silence') IS NOT NULL").first?.decode(Bool.self) == true,
           let row = try session.rows("""
                SELECT count(*) FILTER (WHERE until >= \(expectations.today?.description ?? "")),
                       count(*) FILTER (WHERE until < \(expectations.today?.description ?? "")) FROM silence
                """).first {
            let (inForce, ended) = try row.decode((Int64, Int64).self)
            report.facts.append(StateCheckReport.silenceFact(inForce: Int(inForce), ended: Int(ended), today: expectations.today))
        }
        return report
    }
}
