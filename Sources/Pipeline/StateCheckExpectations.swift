/// What the config says the state should serve, for `state check`.
public struct StateCheckExpectations: Sendable, Equatable {
    /// The configured sources' names.
    public var sources: [String]
    /// The configured notifiers' names.
    public var notifiers: [String]
    /// Undelivered alerts of this day or later are still retried.
    public var retryFrom: Day
    /// The day the check judges silences on (in force through it, or ended); nil: silences are only counted.
    public var today: Day?

    /// Creates expectations.
    public init(sources: [String], notifiers: [String], retryFrom: Day, today: Day? = nil) {
        self.sources = sources
        self.notifiers = notifiers
        self.retryFrom = retryFrom
        self.today = today
    }
}
