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

    /// Creates an input.
    public init(user: String, day: Day, messages: Int, history: [DayCount]) {
        self.user = user
        self.day = day
        self.messages = messages
        self.history = history
    }
}
