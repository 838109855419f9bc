import Foundation
import Pipeline
import PostgresNIO

/// The alert's evidence in the fleet state: client IPs per relay, source, day and user, and recipients per day.
extension PostgresStateStore: EvidenceStore {
    /// Schema step "fleet-v3: evidence".
    static let evidenceSchema = [
        """
        CREATE TABLE client_ip (relay text NOT NULL, source text NOT NULL, day text NOT NULL, "user" text NOT NULL,
            ip text NOT NULL, messages bigint NOT NULL, PRIMARY KEY ("user", day, relay, source, ip))
        """,
        "CREATE INDEX client_ip_day ON client_ip (day)",
    ]

    /// Adds a report's client IPs (inside ``apply(_:source:at:)``'s transaction).
    func storeClientIPs(_ report: VolumeReport, source: String) throws {
        guard let newest = report.clientIPs.keys.max() else { return }
        try session.execute("DELETE FROM client_ip WHERE relay = \(relay) AND day < \(newest.adding(days: -ClientIPEvidence.retentionDays).description)")
        for (day, users) in report.clientIPs where !users.isEmpty {
            var names: [String] = [], ips: [String] = [], counts: [Int64] = []
            for (user, seen) in users {
                for (ip, messages) in seen {
                    names.append(user); ips.append(ip); counts.append(Int64(messages))
                }
            }
            try session.execute("""
                INSERT INTO client_ip (relay, source, day, "user", ip, messages)
                SELECT \(relay), \(source), \(day.description), u, i, m
                FROM unnest(\(names)::text[], \(ips)::text[], \(counts)::bigint[]) AS t(u, i, m)
                ON CONFLICT ("user", day, relay, source, ip) DO UPDATE SET messages = client_ip.messages + excluded.messages
                """)
        }
    }

    public func clientIPs(user: String, from: Day, through: Day) throws -> [Day: [String: Int]] {
        var result: [Day: [String: Int]] = [:]
        for row in try session.rows("""
            SELECT day, ip, sum(messages)::bigint FROM client_ip
            WHERE "user" = \(user) AND day >= \(from.description) AND day <= \(through.description) GROUP BY day, ip
            """) {
            let (text, ip, messages) = try row.decode((String, String, Int64).self)
            guard let day = Day(text) else { continue }
            result[day, default: [:]][ip] = Int(messages)
        }
        return result
    }

    public func dailyRecipients(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        guard !users.isEmpty, !days.isEmpty else { return [:] }
        var result: [String: [Day: Int]] = [:]
        for row in try session.rows("""
            SELECT day, "user", sum(recipients)::bigint FROM volume
            WHERE day = ANY(\(Array(Set(days.map(\.description))))) AND "user" = ANY(\(users)) AND recipients IS NOT NULL
            GROUP BY day, "user"
            """) {
            let (text, user, recipients) = try row.decode((String, String, Int64).self)
            guard let day = Day(text) else { continue }
            result[user, default: [:]][day] = Int(recipients)
        }
        return result
    }
}
