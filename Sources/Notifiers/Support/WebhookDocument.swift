import Foundation
import Pipeline

/// The JSON document the `webhook` notifier POSTs (schema version 1, documented in
/// docs/notifiers.md). Field names are a contract: add fields, never rename or remove them
/// without raising ``schemaVersion``.
struct WebhookDocument: Encodable, Sendable {
    /// The schema's version.
    static let schemaVersion = 1

    /// One alert.
    struct AlertEntry: Encodable, Sendable {
        var id: Int64
        var user: String
        var user_display: String
        var day: String
        var messages: Int
        var recipients: Int?
        var average: Double
        var allowed: Int
        var sequence: Int
        var detectors: [String]
        var verdicts: [VerdictEntry]
        var history: [HistoryEntry]
        var recent: [HistoryEntry]
        var sparkline: String
        var raised_at: String
        var client_ips: [ClientIPEntry]
        var severity: Double
        /// What containment actions did, per action entry (absent when none handled the alert).
        var containment: [String: String]? = nil

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey {
                case id, user, user_display, day, messages, recipients, average, allowed, sequence, detectors, verdicts, history,
                     recent, sparkline, raised_at, containment, client_ips, severity
            }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            try c.encode(user, forKey: .user)
            try c.encode(user_display, forKey: .user_display)
            try c.encode(day, forKey: .day)
            try c.encode(messages, forKey: .messages)
            try c.encode(recipients, forKey: .recipients) // null when unknown
            try c.encode(average, forKey: .average)
            try c.encode(allowed, forKey: .allowed)
            try c.encode(sequence, forKey: .sequence)
            try c.encode(detectors, forKey: .detectors)
            try c.encode(verdicts, forKey: .verdicts)
            try c.encode(history, forKey: .history)
            try c.encode(recent, forKey: .recent)
            try c.encode(sparkline, forKey: .sparkline)
            try c.encode(raised_at, forKey: .raised_at)
            try c.encodeIfPresent(containment, forKey: .containment)
            try c.encode(client_ips, forKey: .client_ips)
            try c.encode(severity, forKey: .severity)
        }
    }

    /// One detector's verdict.
    struct VerdictEntry: Encodable, Sendable {
        var detector: String
        var fired: Bool
        var reason: String
        var average: Double?
        var allowed: Int?
        var metrics: [String: Double]

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case detector, fired, reason, average, allowed, metrics }
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(detector, forKey: .detector)
            try c.encode(fired, forKey: .fired)
            try c.encode(reason, forKey: .reason)
            try c.encode(average, forKey: .average)
            try c.encode(allowed, forKey: .allowed)
            try c.encode(metrics, forKey: .metrics)
        }
    }

    /// One client IP the login was used from that day (`new`: not seen with it in the 30 days before).
    struct ClientIPEntry: Encodable, Sendable {
        var ip: String
        var messages: Int
        var new: Bool
    }

    /// Messages on one earlier working day.
    struct HistoryEntry: Encodable, Sendable {
        var day: String
        var messages: Int
    }

    var schema_version = WebhookDocument.schemaVersion
    var kind = "mvpipe.alerts"
    var host: String
    var notifier: String
    var generated_at: String
    var title: String
    var alerts: [AlertEntry]

    /// The document for `batch`, sent by the notifier entry `notifier`.
    init(batch: AlertBatch, notifier: String, now: Date = Date()) {
        host = batch.host
        self.notifier = notifier
        generated_at = WebhookDocument.timestamp(now)
        title = AlertFormatter.subject(batch)
        alerts = batch.alerts.map { a in
            AlertEntry(
                id: a.id, user: a.user, user_display: UntrustedText.display(a.user), day: a.day.description,
                messages: a.messages, recipients: a.recipients, average: (a.average * 100).rounded() / 100,
                allowed: a.allowed, sequence: a.sequence, detectors: a.firedDetectors,
                verdicts: a.verdicts.map { VerdictEntry(detector: $0.detector, fired: $0.fired, reason: $0.reason, average: $0.average,
                                                       allowed: $0.allowed, metrics: $0.metrics) },
                history: a.history.map { HistoryEntry(day: $0.day.description, messages: $0.messages) },
                recent: a.recent.map { HistoryEntry(day: $0.day.description, messages: $0.messages) },
                sparkline: a.sparkline,
                raised_at: WebhookDocument.timestamp(a.raisedAt),
                client_ips: (a.clientIPs ?? []).map { ClientIPEntry(ip: $0.ip, messages: $0.messages, new: $0.new) },
                severity: (a.severity * 100).rounded() / 100, containment: a.containment)
        }
    }

    /// RFC 3339 UTC time, e.g. `2026-11-25T15:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
