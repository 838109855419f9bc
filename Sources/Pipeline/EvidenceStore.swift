import Foundation

/// What a store keeps besides the counts to explain an alert: the client IPs each login was used from, and the
/// recipients per day (for detectors with `"metric": "recipients"`).
///
/// A store records client IPs from ``VolumeReport/clientIPs`` in ``StateStore/apply(_:source:at:)``, in the same
/// transaction as the counts (always added: log sources report only what is new), and drops rows older than
/// ``ClientIPEvidence/retentionDays`` before the day of the report.
public protocol EvidenceStore: Sendable {
    /// Per day from `from` through `through`, `user`'s messages per client IP, summed over sources (and relays).
    func clientIPs(user: String, from: Day, through: Day) throws -> [Day: [String: Int]]
    /// Recipients per user per day, summed over sources, for the given users and days (missing or unknown: none).
    func dailyRecipients(users: [String], days: [Day]) throws -> [String: [Day: Int]]
}

/// One client IP a login was used from on the alert's day.
public struct ClientIPEvidence: Sendable, Equatable, Codable {
    /// The address as the log wrote it.
    public var ip: String
    /// Messages from it that day.
    public var messages: Int
    /// Whether the login was not seen from this address on any of the ``newAfterDays`` days before.
    public var new: Bool

    /// Days looked back to call an address new.
    public static let newAfterDays = 30
    /// Days a store keeps client IPs (older rows go when a report with client IPs is applied).
    public static let retentionDays = 90
    /// Addresses an alert lists at most (most messages first).
    public static let listed = 10

    /// Creates one.
    public init(ip: String, messages: Int, new: Bool) {
        self.ip = ip
        self.messages = messages
        self.new = new
    }

    /// The evidence for `user` on `day` from `store`: that day's IPs, most messages first, marked new when the login
    /// was not seen from them in the 30 days before; nil when the store keeps none or saw none that day.
    public static func of(user: String, day: Day, in store: any StateStore) throws -> [ClientIPEvidence]? {
        guard let evidence = store as? any EvidenceStore else { return nil }
        let seen = try evidence.clientIPs(user: user, from: day.adding(days: -newAfterDays), through: day)
        guard let today = seen[day], !today.isEmpty else { return nil }
        var before = Set<String>()
        for (d, ips) in seen where d != day { before.formUnion(ips.keys) }
        return today.map { ClientIPEvidence(ip: $0.key, messages: $0.value, new: !before.contains($0.key)) }
            .sorted { ($0.messages, $1.ip) > ($1.messages, $0.ip) }
    }
}
