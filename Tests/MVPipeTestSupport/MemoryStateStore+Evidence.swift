import Foundation
import Pipeline

extension MemoryStateStore: EvidenceStore {
    static func storeClientIPs(_ report: VolumeReport, source: String, in tables: inout Tables) {
        guard let newest = report.clientIPs.keys.max() else { return }
        let oldest = newest.adding(days: -ClientIPEvidence.retentionDays)
        tables.clientIPs = tables.clientIPs.mapValues { $0.filter { $0.key >= oldest } }.filter { !$0.value.isEmpty }
        for (day, users) in report.clientIPs {
            for (user, ips) in users {
                for (ip, messages) in ips {
                    tables.clientIPs[user, default: [:]][day, default: [:]][source, default: [:]][ip, default: 0] += messages
                }
            }
        }
    }

    public func clientIPs(user: String, from: Day, through: Day) throws -> [Day: [String: Int]] {
        read { tables in
            var result: [Day: [String: Int]] = [:]
            for (day, sources) in tables.clientIPs[user] ?? [:] where day >= from && day <= through {
                for ips in sources.values {
                    for (ip, messages) in ips { result[day, default: [:]][ip, default: 0] += messages }
                }
            }
            return result
        }
    }

    public func dailyRecipients(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        read { tables in
            var result: [String: [Day: Int]] = [:]
            let wanted = Set(users), inDays = Set(days)
            for perDay in tables.volume.values {
                for (day, volumes) in perDay where inDays.contains(day) {
                    for (user, volume) in volumes where wanted.contains(user) {
                        if let r = volume.recipients { result[user, default: [:]][day, default: 0] += r }
                    }
                }
            }
            return result
        }
    }
}
