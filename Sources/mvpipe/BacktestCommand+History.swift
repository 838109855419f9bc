import Pipeline

extension BacktestCommand {
    /// A note when the baseline windows of some days in `first...last` reach before the first day the state has
    /// mail for (their verdicts then rest on fewer days), else nil.
    static func shortHistoryNote(store: any StateStore, configs: [PipelineConfig], first: Day, last: Day) throws -> String? {
        guard let config = configs.max(by: { $0.historyDays < $1.historyDays }) else { return nil }
        let calendar = config.calendar
        func windowStart(_ day: Day) -> Day {
            calendar.workingDays(before: day, count: config.historyDays).last ?? day
        }
        let scanFrom = windowStart(first)
        let days = (0...max(0, last.dayNumber - scanFrom.dayNumber)).map { scanFrom.adding(days: $0) }
        // The first day with any mail: a log source also marks the empty days before its first line final, so
        // those say nothing about history.
        var start: Day?
        for day in days {
            if try store.volumes(on: day).values.contains(where: { $0.messages > 0 }) {
                start = day
                break
            }
        }
        guard let start else {
            return "note: the state has no history from \(scanFrom) to \(last); every verdict rests on an empty baseline"
        }
        let short = stride(from: first.dayNumber, through: last.dayNumber, by: 1).map(Day.init(dayNumber:))
            .filter { windowStart($0) < start }
        guard let a = short.first, let b = short.last else { return nil }
        return "note: the stored history starts on \(start); the baselines of \(a == b ? "\(a)" : "\(a) to \(b)") (\(short.count) day(s)) reach before it, so their verdicts rest on fewer than \(config.historyDays) working days"
    }
}
