/// What the config says the state should serve, for `state check`.
public struct StateCheckExpectations: Sendable, Equatable {
    /// The configured sources' names.
    public var sources: [String]
    /// The configured notifiers' names.
    public var notifiers: [String]
    /// Undelivered alerts of this day or later are still retried.
    public var retryFrom: Day

    /// Creates expectations.
    public init(sources: [String], notifiers: [String], retryFrom: Day) {
        self.sources = sources
        self.notifiers = notifiers
        self.retryFrom = retryFrom
    }
}
