import Foundation
import Pipeline

/// Fires when today's count is far above the user's usual spread: (today − center) / spread > threshold,
/// with center and spread from the working-day window (mean and standard deviation, or the
/// outlier-robust median and 1.4826 × median absolute deviation).
public struct ZScore: Detector {
    /// How center and spread are computed.
    public enum Method: String, Sendable, CaseIterable, OptionChoice {
        /// Mean and sample standard deviation; days without mail count as 0.
        case mean
        /// Median and 1.4826 × MAD: one huge day in the window barely moves them.
        case median
    }

    /// Options of `z-score`.
    public struct Options: PluginOptions {
        /// Working days in the window.
        public var days: Int
        /// The z above which the detector fires.
        public var threshold: Double
        /// Working days with mail the window needs before the detector judges at all.
        public var minHistory: Int
        /// Today's messages below this never fire.
        public var minMessages: Int
        /// Mean or median.
        public var method: Method
        /// The smallest spread used, so a perfectly flat history does not divide by zero.
        public var minSpread: Double

        static let days = ConfigOption("days", default: 20, in: 2...366, "Working days before today in the window (days without mail count as 0).")
        static let threshold = ConfigOption("threshold", default: 3.0, in: 0...1_000, "Fire when (today − center) / spread is above this.")
        static let minHistory = ConfigOption("min_history", default: 5, in: 1...366, "Working days with mail needed in the window; with fewer the detector does not judge.")
        static let minMessages = ConfigOption("min_messages", default: 20, in: 0...100_000_000, "Never fire below this many messages today.")
        static let method = ConfigOption("method", default: Method.mean, "\"mean\" (mean and standard deviation) or \"median\" (median and 1.4826 × MAD, robust to one-off big days).")
        static let minSpread = ConfigOption("min_spread", default: 1.0, in: 0.000_001...1_000_000, "Lower bound of the spread.")

        public static let specs = OptionSpec.list(days, threshold, minHistory, minMessages, method, minSpread)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            days = try reader.read(Self.days)
            threshold = try reader.read(Self.threshold)
            minHistory = try reader.read(Self.minHistory)
            minMessages = try reader.read(Self.minMessages)
            method = try reader.read(Self.method)
            minSpread = try reader.read(Self.minSpread)
            guard minHistory <= days else {
                throw ConfigError(reader.path(of: Self.minHistory), "must not exceed days (\(days))")
            }
        }
    }

    public static let type = "z-score"
    public static let summary = "Fires when today is more than `threshold` spreads above the user's usual volume (mean or median)."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var historyDays: Int { options.days }

    public var description: String {
        "z-score: (today − \(options.method == .mean ? "mean" : "median")) / \(options.method == .mean ? "std dev" : "1.4826×MAD") > \(AlertFormatter.format(options.threshold)) over \(options.days) working days, at least \(options.minMessages) messages"
    }

    /// Center and spread of a window (before the `min_spread` floor).
    public static func centerAndSpread(_ values: [Int], method: Method) -> (center: Double, spread: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let xs = values.map(Double.init)
        switch method {
        case .mean:
            let mean = xs.reduce(0, +) / Double(xs.count)
            guard xs.count > 1 else { return (mean, 0) }
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
            return (mean, variance.squareRoot())
        case .median:
            let median = Self.median(xs)
            let mad = Self.median(xs.map { abs($0 - median) })
            return (median, 1.4826 * mad)
        }
    }

    static func median(_ xs: [Double]) -> Double {
        let sorted = xs.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    public func evaluate(_ input: DetectorInput) -> Verdict {
        let window = input.history.prefix(options.days).map(\.messages)
        let withMail = window.filter { $0 > 0 }.count
        guard withMail >= options.minHistory else {
            return Verdict(detector: Self.type, fired: false,
                           reason: "not judged: \(withMail) working days with mail in the last \(options.days), needs \(options.minHistory) (min_history)",
                           metrics: ["days_with_mail": Double(withMail)])
        }
        let (center, rawSpread) = Self.centerAndSpread(window, method: options.method)
        let spread = max(options.minSpread, rawSpread)
        let z = (Double(input.messages) - center) / spread
        let fired = input.messages >= options.minMessages && z > options.threshold
        let limit = center + options.threshold * spread
        let allowed = max(options.minMessages - 1, Int(limit.rounded(.down)))
        let centerName = options.method == .mean ? "mean" : "median"
        let spreadName = options.method == .mean ? "std dev" : "1.4826×MAD"
        var reason = "z = (\(input.messages) − \(centerName) \(AlertFormatter.format(center))) / \(spreadName) \(AlertFormatter.format(spread)) = \(AlertFormatter.format(z)) \(z > options.threshold ? ">" : "<=") \(AlertFormatter.format(options.threshold))"
        if input.messages < options.minMessages { reason += ", but under min_messages \(options.minMessages)" }
        return Verdict(detector: Self.type, fired: fired, reason: reason, average: center, allowed: allowed,
                       metrics: ["center": center, "spread": spread, "z": z])
    }
}
