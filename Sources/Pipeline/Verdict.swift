/// A detector's judgement of one user on one day, with the numbers behind it.
public struct Verdict: Sendable, Equatable, Codable {
    /// The detector's `type`.
    public var detector: String
    /// Whether the detector considers the volume unusual.
    public var fired: Bool
    /// The arithmetic in words, for example `450 > allowed 100 = max(floor 100, 150% of average 31.2)`.
    public var reason: String
    /// The baseline average the detector used, if it uses one.
    public var average: Double?
    /// The most messages the detector lets through, if it has such a limit.
    public var allowed: Int?

    /// Creates a verdict.
    public init(detector: String, fired: Bool, reason: String, average: Double? = nil, allowed: Int? = nil) {
        self.detector = detector
        self.fired = fired
        self.reason = reason
        self.average = average
        self.allowed = allowed
    }
}
