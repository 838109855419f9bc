/// What `state prune` removed (or, in a dry run, would remove).
public struct PruneReport: Sendable, Equatable {
    /// Per-source daily counts.
    public var volumeRows = 0
    /// Per-source records of days read.
    public var sourceDays = 0
    /// 5-minute buckets.
    public var buckets = 0
    /// Alerts every notifier delivered (or that a later alert superseded).
    public var settledAlerts = 0
    /// Undelivered alerts past the retry window (they were never going to be sent).
    public var expiredAlerts = 0
    /// Delivery records of the removed alerts.
    public var deliveries = 0
    /// Undelivered alerts older than the cut-off, kept because they are still retried.
    public var keptPendingAlerts = 0
    /// Holds released before the cut-off (a hold in force is never pruned, however old).
    public var releasedHolds = 0
    /// Holds in force, all kept.
    public var keptHolds = 0
    /// Client IP rows of days before ``PrunePlan/clientIPsBefore``.
    public var clientIPs = 0
    /// Silences whose last day is before the cut-off.
    public var endedSilences = 0
    /// Silences kept: in force, or ended on or after the cut-off.
    public var keptSilences = 0

    /// Creates an empty report.
    public init() {}

    /// Whether nothing was (or would be) removed.
    public var isEmpty: Bool { volumeRows + sourceDays + buckets + settledAlerts + expiredAlerts + deliveries + releasedHolds
        + clientIPs + endedSilences == 0 }
}
