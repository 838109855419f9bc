import Pipeline

/// The seed script's rule, done right: fires when today's messages exceed
/// `max(floor, average × percent / 100)`, the average taken over the user's own `days`
/// most recent working days before today.
public struct PercentOverAverage: Detector {
    /// Options of `percent-over-average`.
    public struct Options: PluginOptions {
        /// Working days in the window.
        public var days: Int
        /// Allowed percentage of the average.
        public var percent: Int
        /// Always allow this many messages.
        public var floor: Int
        /// Average over days with mail only (as the seed script does) instead of over all `days`.
        public var skipEmptyDays: Bool

        static let days = ConfigOption("days", default: 10, in: 1...366, "Working days before today in the average (days without mail count as 0).")
        static let percent = ConfigOption("percent", default: 150, in: 1...1_000_000, "Allowed volume as a percentage of the average.")
        static let floor = ConfigOption("floor", default: 100, in: 0...100_000_000, "Messages a user may always send without an alert.")
        static let skipEmptyDays = ConfigOption("skip_empty_days", default: false, "Average over the window's days with mail only, as mailvolumealert.sh did.")

        public static let specs = OptionSpec.list(days, percent, floor, skipEmptyDays)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            days = try reader.read(Self.days)
            percent = try reader.read(Self.percent)
            floor = try reader.read(Self.floor)
            skipEmptyDays = try reader.read(Self.skipEmptyDays)
        }
    }

    public static let type = "percent-over-average"
    public static let summary = "Fires above max(floor, percent% of the user's average over the last working days)."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var historyDays: Int { options.days }

    public var description: String {
        "percent-over-average: more than max(\(options.floor), \(options.percent)% of the average of the last \(options.days) working days\(options.skipEmptyDays ? " with mail" : ""))"
    }

    public func evaluate(_ input: DetectorInput) -> Verdict {
        let window = input.history.prefix(options.days)
        let total = window.reduce(0) { $0 + $1.messages }
        let divisor = options.skipEmptyDays ? window.filter { $0.messages > 0 }.count : options.days
        let average = divisor > 0 ? Double(total) / Double(divisor) : 0
        // Integer arithmetic: allowed = floor(total × percent / (divisor × 100)), exactly.
        let scaled = divisor > 0 ? (total * options.percent) / (divisor * 100) : 0
        let allowed = max(options.floor, scaled)
        let fired = input.messages > allowed
        let reason = "\(input.messages) \(fired ? ">" : "<=") allowed \(allowed) = max(floor \(options.floor), \(options.percent)% of average \(AlertFormatter.format(average)) over \(divisor) working days)"
        return Verdict(detector: Self.type, fired: fired, reason: reason, average: average, allowed: allowed)
    }
}
