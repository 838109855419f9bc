/// What `state prune` removes: history of days before `before`, but never alerts still being retried.
public struct PrunePlan: Sendable, Equatable {
    /// Volume rows, source days and alerts of days before this one go.
    public var before: Day
    /// 5-minute buckets starting before this instant (seconds since 1970; the start of `before`) go, and holds
    /// released before it (holds in force always stay).
    public var bucketsBefore: Int64
    /// Undelivered alerts of this day or later are still retried (`pending_days`) and always stay.
    public var retryFrom: Day
    /// Client IPs of days before this one go (see ``clientIPCutOff(before:today:)``); silences that ended before
    /// `before` go.
    public var clientIPsBefore: Day

    /// Creates a plan; client IPs go before `clientIPsBefore` (default: `before`).
    public init(before: Day, bucketsBefore: Int64, retryFrom: Day, clientIPsBefore: Day? = nil) {
        self.before = before
        self.bucketsBefore = bucketsBefore
        self.retryFrom = retryFrom
        self.clientIPsBefore = clientIPsBefore ?? before
    }

    /// The first day of client IPs `state prune` keeps on `today` with the cut-off `before`: the cut-off, but never
    /// later than the ``ClientIPEvidence/newAfterDays`` days an alert compares addresses with (pruning them would mark
    /// known addresses NEW), and never earlier than the ``ClientIPEvidence/retentionDays`` days a store keeps them.
    public static func clientIPCutOff(before: Day, today: Day) -> Day {
        let lookback = today.adding(days: -ClientIPEvidence.newAfterDays)
        let retention = today.adding(days: -ClientIPEvidence.retentionDays)
        return max(retention, min(before, lookback))
    }
}
