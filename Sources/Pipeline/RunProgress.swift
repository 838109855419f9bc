/// How far one run got: each step's result as soon as it is known, so a run that fails partway
/// (a state error while delivering, say) can still report what it did (metrics, diagnostics).
public struct RunProgress: Sendable {
    /// What the sources did; nil until collection finished.
    public var collected: CollectSummary?
    /// Alerts raised (new, escalated, or updated); nil until they were saved.
    public var raised: [Alert]?
    /// Per notifier, what happened; nil until delivery finished (or was skipped by a dry run).
    public var deliveries: [String: DeliveryResult]?

    /// Creates an empty progress record.
    public init() {}
}
