import Foundation
import Pipeline

/// What one `mvpipe run` did, as far as it got, in node_exporter's textfile format
/// (the Prometheus text exposition format, version 0.0.4).
///
/// Every figure is about the last run (gauges); series whose value is unknown because the run
/// failed before that step are left out rather than reported as zero.
struct RunMetrics {
    /// Wall-clock seconds the run took.
    var duration: Double = 0
    /// When the run ended (Unix time).
    var timestamp: Date = Date()
    /// The process's exit code.
    var exitCode: Int32 = 1
    /// The configured sources, detectors and notifiers (empty when the config did not load).
    var sources: [String] = []
    var detectors: [String] = []
    var notifiers: [String] = []
    /// Days an undelivered alert keeps being retried (the config's `pending_days`).
    var pendingDays = 7
    /// What the runner got done.
    var progress = RunProgress()
    /// Alerts still queued per notifier after the run (nil when the state could not be read).
    var pending: [String: Int]?
    /// The users with the most messages today, most first (nil when the state could not be read).
    var topUsers: [(user: String, messages: Int)]?

    /// The metrics file's text.
    func render() -> String {
        var out = ""
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(Self.escapeLabelValue($0.1))\"" }.joined(separator: ",")
                out += name + (labels.isEmpty ? "" : "{\(labels)}") + " " + sample.value + "\n"
            }
        }
        family("mvpipe_run_duration_seconds", "Seconds the last mvpipe run took.",
               [([], Self.format(duration))])
        family("mvpipe_run_timestamp_seconds", "When the last mvpipe run ended (Unix time).",
               [([], Self.format(timestamp.timeIntervalSince1970))])
        family("mvpipe_run_exit_code", "Exit code of the last mvpipe run (0 ok, 66 a source failed, 74 state unusable, 75 alerts queued or locked, 78 config invalid).",
               [([], String(exitCode))])
        if let collected = progress.collected {
            family("mvpipe_source_up", "1 when the source was read on the last run, 0 when it failed.",
                   sources.map { ([("source", $0)], collected.failures[$0] == nil ? "1" : "0") })
            family("mvpipe_source_skipped", "Unusable entries (malformed lines, unreadable files) the source skipped on the last run.",
                   sources.map { ([("source", $0)], String(collected.skipped[$0] ?? 0)) })
            let lineSources = sources.filter { collected.linesRead[$0] != nil }
            if !lineSources.isEmpty {
                family("mvpipe_source_lines_read", "Log lines the source read on the last run (log sources only).",
                       lineSources.map { ([("source", $0)], String(collected.linesRead[$0] ?? 0)) })
            }
        }
        if let raised = progress.raised {
            family("mvpipe_alerts_raised", "Alerts raised (new, escalated or updated) on the last run.",
                   [([], String(raised.count))])
            family("mvpipe_alerts_raised_by_detector", "Alerts raised on the last run in which the detector fired.",
                   detectors.map { name in ([("detector", name)], String(raised.filter { $0.firedDetectors.contains(name) }.count)) })
        }
        if let pending {
            family("mvpipe_alerts_pending", "Alerts queued for the notifier and not yet delivered, after the last run.",
                   notifiers.map { ([("notifier", $0)], String(pending[$0] ?? 0)) })
        }
        if let deliveries = progress.deliveries {
            family("mvpipe_alerts_delivered", "Alerts the notifier delivered on the last run.",
                   notifiers.map { ([("notifier", $0)], String(deliveries[$0]?.delivered ?? 0)) })
        }
        if let topUsers {
            family("mvpipe_user_messages_today", "Messages today of the users who sent the most (top N only).",
                   topUsers.map { ([("user", $0.user)], String($0.messages)) })
        }
        return out
    }

    /// A label value escaped for the text format: backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        UntrustedText.replacing(value, ["\\": "\\\\", "\"": "\\\"", "\n": "\\n"])
    }

    /// A sample value: integers without a fraction, others with millisecond precision.
    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3f", value)
    }

    /// The `count` users with the most messages, ties by name (bounded label cardinality).
    static func top(_ volumes: [String: UserVolume], count: Int) -> [(user: String, messages: Int)] {
        volumes.filter { $0.value.messages > 0 }
            .sorted { $0.value.messages != $1.value.messages ? $0.value.messages > $1.value.messages : $0.key < $1.key }
            .prefix(count)
            .map { (user: $0.key, messages: $0.value.messages) }
    }
}
