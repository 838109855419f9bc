/// A plugin that decides whether a user's volume today is unusual.
public protocol Detector: Plugin {
    /// How many working days of history before the evaluated day the detector looks at.
    var historyDays: Int { get }
    /// Whether the detector reads sub-day buckets (``DetectorInput/buckets``).
    var needsBuckets: Bool { get }
    /// Judges one user on one day, on that user's own history only.
    func evaluate(_ input: DetectorInput) -> Verdict
}

extension Detector {
    /// Most detectors work on daily counts only.
    public var needsBuckets: Bool { false }
}
