import Foundation

/// One day's message count.
public struct DayCount: Sendable, Equatable, Codable {
    /// The day.
    public var day: Day
    /// Messages that day.
    public var messages: Int

    /// Creates a day count.
    public init(day: Day, messages: Int) {
        self.day = day
        self.messages = messages
    }
}

/// What a detector judges: one user, one day, and that user's own history.
public struct DetectorInput: Sendable {
    /// The user (sender address or login), as untrusted text.
    public var user: String
    /// The day being judged.
    public var day: Day
    /// Messages on `day` so far.
    public var messages: Int
    /// The user's counts on the working days strictly before `day`, most recent first
    /// (days without mail are present with 0). At least as long as every detector's `historyDays`.
    public var history: [DayCount]
    /// The moment of evaluation (the end of `day` when judging a past day).
    public var now: Date
    /// The site's calendar.
    public var calendar: WorkCalendar
    /// The user's 5-minute buckets from the start of the oldest history day up to `now`
    /// (filled only when a detector of the pipeline ``Detector/needsBuckets``).
    public var buckets: [Int64: Int]
    /// Judge the whole day at once (backtests) rather than the moment `now`: sub-day detectors then
    /// look at the day's worst moment.
    public var wholeDay: Bool = false

    /// Creates an input.
    public init(user: String, day: Day, messages: Int, history: [DayCount], now: Date? = nil,
                calendar: WorkCalendar = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!),
                buckets: [Int64: Int] = [:]) {
        self.user = user
        self.day = day
        self.messages = messages
        self.history = history
        self.now = now ?? calendar.start(of: day.adding(days: 1)).addingTimeInterval(-1)
        self.calendar = calendar
        self.buckets = buckets
    }
}
