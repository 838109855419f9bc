import Pipeline

extension CountsCommand {
    /// Why `counts` found nothing on `target`: the days around it the sources do have mail for.
    static func coverage(store: any StateStore, target: Day, today: Day, config: PipelineConfig) throws -> String {
        let window = config.calendar.workingDays(before: today, count: config.historyDays).last ?? today.adding(days: -14)
        let oldest = max(min(target, window), today.adding(days: -400))
        let span = max(0, today.dayNumber - oldest.dayNumber)
        var covered: [Day] = []
        for offset in 0...span {
            let day = oldest.adding(days: offset)
            if try store.volumes(on: day).values.contains(where: { $0.messages > 0 }) { covered.append(day) }
        }
        let none = "nothing counted on \(target)"
        guard let first = covered.first, let last = covered.last else {
            return "\(none), nor on any day from \(oldest) to \(today): do the sources name the right files? See `mvpipe check`"
        }
        let where_ = target > today ? " (\(target) is in the future)" : ""
        return "\(none)\(where_); the sources have mail on \(covered.count) day(s) from \(first) to \(last) (looked at \(oldest) to \(today))"
    }
}
