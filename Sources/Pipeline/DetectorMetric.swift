/// What a detector counts: messages (the default) or their recipients, so a BCC run (few messages, thousands of
/// recipients each) fires too.
public enum DetectorMetric: String, Sendable, CaseIterable, OptionChoice, Codable {
    /// Messages per day (and per 5-minute bucket).
    case messages
    /// Recipients per day, where the sources know them (unknown counts as none).
    case recipients

    /// The `"metric"` key every detector entry takes.
    static let option = ConfigOption("metric", default: DetectorMetric.messages,
                                     "What the detector counts: \"messages\" (default) or \"recipients\" (catches a BCC run: few messages, many recipients each; needs a source that knows recipients, not sub-day detectors such as burst).")
}
