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
    /// The most messages a day the detector lets through, if it has such a daily limit.
    public var allowed: Int?
    /// The detector's own numbers by name (for `explain`, `backtest` and `--json`), e.g. `z`, `peak`.
    public var metrics: [String: Double]
    /// What the detector counted: nil for messages, ``DetectorMetric/recipients`` for recipients (then `reason`,
    /// `average` and `allowed` are in recipients).
    public var metric: DetectorMetric?

    /// Creates a verdict.
    public init(detector: String, fired: Bool, reason: String, average: Double? = nil, allowed: Int? = nil,
                metrics: [String: Double] = [:]) {
        self.detector = detector
        self.fired = fired
        self.reason = reason
        self.average = average
        self.allowed = allowed
        self.metrics = metrics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        detector = try c.decode(String.self, forKey: .detector)
        fired = try c.decode(Bool.self, forKey: .fired)
        reason = try c.decode(String.self, forKey: .reason)
        average = try c.decodeIfPresent(Double.self, forKey: .average)
        allowed = try c.decodeIfPresent(Int.self, forKey: .allowed)
        metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
        metric = try c.decodeIfPresent(DetectorMetric.self, forKey: .metric)
    }
}
