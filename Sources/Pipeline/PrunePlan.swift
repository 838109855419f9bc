/// What `state prune` removes: history of days before `before`, but never alerts still being retried.
public struct PrunePlan: Sendable, Equatable {
    /// Volume rows, source days and alerts of days before this one go.
    public var before: Day
    /// 5-minute buckets starting before this instant (seconds since 1970; the start of `before`) go, and holds
    /// released before it (holds in force always stay).
    public var bucketsBefore: Int64
    /// Undelivered alerts of this day or later are still retried (`pending_days`) and always stay.
    public var retryFrom: Day

    /// Creates a plan.
    public init(before: Day, bucketsBefore: Int64, retryFrom: Day) {
        self.before = before
        self.bucketsBefore = bucketsBefore
        self.retryFrom = retryFrom
    }
}
