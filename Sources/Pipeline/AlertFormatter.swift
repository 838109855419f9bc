import Foundation

/// Renders alerts as plain text, the same content every text channel carries.
public enum AlertFormatter {
    /// A one-line subject, with no user-supplied text in it.
    public static func subject(_ batch: AlertBatch) -> String {
        let n = Set(batch.alerts.map(\.user)).count
        return "mvpipe on \(batch.host): \(n) \(n == 1 ? "user is" : "users are") sending unusual mail volume"
    }

    /// The full plain-text report. No line starts with user text (mail tilde escapes, list markers).
    public static func body(_ batch: AlertBatch) -> String {
        var lines: [String] = []
        lines.append("mvpipe on \(batch.host) found unusual outgoing mail volume.")
        lines.append("")
        for alert in batch.alerts {
            lines.append(contentsOf: describe(alert))
            lines.append("")
        }
        lines.append(contentsOf: nextSteps)
        lines.append("")
        lines.append("Times are \(batch.calendar.zoneName). Counts include mail sent until the run.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines describing one alert.
    public static func describe(_ alert: Alert) -> [String] {
        var lines: [String] = []
        var headline = "- \(UntrustedText.display(alert.user)): \(alert.messages) messages on \(alert.day)"
        if let r = alert.recipients { headline += " (\(r) recipients)" }
        headline += ", average \(format(alert.average)) per working day, allowed \(alert.allowed)"
        if alert.sequence > 1 { headline += " [escalation #\(alert.sequence - 1)]" }
        lines.append(headline)
        if let ips = alert.clientIPs, !ips.isEmpty {
            let shown = ips.prefix(ClientIPEvidence.listed).map {
                "\(UntrustedText.display($0.ip, limit: 45)) (\($0.messages)\($0.new ? ", NEW" : ""))"
            }
            let more = ips.count > ClientIPEvidence.listed ? ", and \(ips.count - ClientIPEvidence.listed) more" : ""
            let fresh = ips.filter(\.new).count
            lines.append("    from: " + shown.joined(separator: ", ") + more)
            if fresh > 0 {
                lines.append("    \(fresh) of \(ips.count) address(es) NEW: never seen with this login in the \(ClientIPEvidence.newAfterDays) days before")
            }
        }
        if !alert.recent.isEmpty {
            lines.append("    last \(alert.recent.count) days: \(alert.sparkline) (\(alert.recent.first!.day) to \(alert.day))")
        }
        if let relays = alert.relays, alert.messages > 0 {
            let parts = relays.map { "\(UntrustedText.display($0.relay)) \($0.messages) (\(Int((Double($0.messages) * 100 / Double(alert.messages)).rounded()))%)" }
            lines.append("    through relays: " + parts.joined(separator: ", "))
        }
        for verdict in alert.verdicts where verdict.fired {
            lines.append("    fired: \(verdict.detector): \(verdict.reason)")
        }
        if !alert.history.isEmpty {
            let days = alert.history.prefix(10).map { "\(shortDay($0.day)) \($0.messages)" }
            lines.append("    last working days: " + days.joined(separator: ", "))
        }
        for (_, note) in (alert.containment ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("    containment: " + note)
        }
        return lines
    }

    /// What to do next, the closing lines of every report.
    public static let nextSteps: [String] = [
        "What to do next:",
        "    mvpipe explain --config FILE USER   shows the arithmetic and history, and the addresses used",
        "    a stolen password (NEW addresses, mail at odd hours): change it, then hold the login's queued mail",
        "      with a \"postfix-hold\" notifier (containment); \"mvpipe release\" lets held mail go once it is safe",
        "    expected mail (a mailing): mvpipe silence --config FILE USER --until YYYY-MM-DD --reason \"...\"",
        "      (no alerts until then; \"mvpipe silences\" lists them, \"mvpipe unsilence\" ends one)",
    ]

    /// A number with at most one decimal.
    public static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func shortDay(_ day: Day) -> String {
        String(day.description.dropFirst(5))
    }
}
