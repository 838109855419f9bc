extension PipelineConfig {
    /// The oldest day whose history the pipeline still reads on `today`: the first day of the
    /// longest detector window (working days, counted back with the site's calendar, so weekends
    /// and holidays stretch it) or of the alerts' 14-day sparkline, whichever is older.
    ///
    /// Later days never need older history, so pruning before this day is safe from now on.
    public func oldestDayNeeded(today: Day) -> Day {
        let window = calendar.workingDays(before: today, count: historyDays)
        let sparkline = today.adding(days: -13)
        return min(window.last ?? sparkline, sparkline)
    }
}
