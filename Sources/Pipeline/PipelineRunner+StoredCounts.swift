import Foundation

extension PipelineRunner {
    /// A day's count never goes down. Where a snapshot finds fewer messages for a user than `source` stored for that
    /// day (files removed after they were counted, a sender folder emptied by hand), the stored count and that
    /// user's stored 5-minute buckets of the day are kept, and a note tells the admin which users and how many.
    ///
    /// Messages once sent stay sent: what a folder no longer shows is no evidence that they were not. The store writes
    /// what it is given, so this rule lives here once for every store. Users who grew still grow.
    func keepingStoredCounts(_ report: inout VolumeReport, source: String) throws {
        guard report.mode == .snapshot else { return }
        let calendar = config.calendar
        for day in report.scannedDays {
            let stored = try store.volumes(source: source, on: day)
            guard !stored.isEmpty else { continue }
            var found = report.counts[day] ?? [:]
            var lowered: [(user: String, found: Int, stored: Int)] = []
            for (user, volume) in stored where volume.messages > (found[user]?.messages ?? 0) {
                lowered.append((user, found[user]?.messages ?? 0, volume.messages))
                found[user] = volume
            }
            guard !lowered.isEmpty else { continue }
            lowered.sort { $0.user < $1.user }
            report.counts[day] = found
            let from = calendar.start(of: day), to = calendar.start(of: day.adding(days: 1))
            let span = TimeBuckets.start(of: from)..<TimeBuckets.start(of: to)
            let kept = try store.buckets(source: source, users: lowered.map(\.user), from: from, to: to)
            for entry in lowered {
                var buckets = (report.buckets[entry.user] ?? [:]).filter { !span.contains($0.key) }
                buckets.merge(kept[entry.user] ?? [:]) { _, stored in stored }
                report.buckets[entry.user] = buckets
            }
            let shown = lowered.prefix(5).map { "\(UntrustedText.display($0.user, limit: 80)): \($0.found) found, \($0.stored) stored" }
            let more = lowered.count > 5 ? "; and \(lowered.count - 5) more" : ""
            report.notes.append("\(day): fewer messages found than were stored for \(lowered.count) user(s) (\(shown.joined(separator: "; "))\(more)); the stored counts are kept, since a day's count never goes down (was input removed after it was counted?)")
        }
    }
}
