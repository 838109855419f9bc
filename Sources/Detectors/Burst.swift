import Foundation
import Pipeline

/// Catches a stolen password minutes after the spam starts: messages in the trailing window ending
/// now > max(floor, factor × the user's busiest such window on the last working days).
///
/// Needs sub-day counts: sources put each message in a 5-minute bucket (maillog timestamps,
/// archive file modification times).
public struct Burst: Detector {
    /// Options of `burst`.
    public struct Options: PluginOptions {
        /// The window length in minutes (a multiple of 5).
        public var windowMinutes: Int
        /// Allowed multiple of the user's usual busiest window.
        public var factor: Double
        /// A window may always hold this many messages.
        public var floor: Int
        /// Working days whose busiest window sets the baseline.
        public var days: Int

        static let windowMinutes = ConfigOption("window_minutes", default: 60, in: 5...1440, "Length of the trailing window, in minutes (multiple of 5).")
            .map { minutes, _ in
                guard minutes % 5 == 0 else {
                    throw OptionError("expected a multiple of 5 (counts are kept in 5-minute buckets), found \(minutes)")
                }
                return minutes
            }
        static let factor = ConfigOption("factor", default: 3.0, in: 0...1_000_000, "Fire above this multiple of the user's busiest window on the last working days.")
        static let floor = ConfigOption("floor", default: 50, in: 0...100_000_000, "Messages a window may always hold without an alert.")
        static let days = ConfigOption("days", default: 10, in: 1...60, "Working days whose busiest window is the baseline.")

        public static let specs = OptionSpec.list(windowMinutes, factor, floor, days)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            windowMinutes = try reader.read(Self.windowMinutes)
            factor = try reader.read(Self.factor)
            floor = try reader.read(Self.floor)
            days = try reader.read(Self.days)
        }
    }

    public static let type = "burst"
    public static let summary = "Fires when the last window_minutes hold more than max(floor, factor × the user's busiest window on recent working days)."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var historyDays: Int { options.days }
    public var needsBuckets: Bool { true }

    public var description: String {
        "burst: more than max(\(options.floor), \(AlertFormatter.format(options.factor))× the busiest \(options.windowMinutes)-minute window of the last \(options.days) working days) in the last \(options.windowMinutes) minutes"
    }

    public func evaluate(_ input: DetectorInput) -> Verdict {
        let calendar = input.calendar
        var peak = 0
        for day in input.history.prefix(options.days).map(\.day) {
            peak = max(peak, TimeBuckets.peak(input.buckets, from: calendar.start(of: day),
                                              to: calendar.start(of: day.adding(days: 1)), minutes: options.windowMinutes))
        }
        let limit = max(options.floor, Int((options.factor * Double(peak)).rounded(.down)))
        let recent: Int
        let when: String
        if input.wholeDay {
            recent = TimeBuckets.peak(input.buckets, from: calendar.start(of: input.day),
                                      to: calendar.start(of: input.day.adding(days: 1)), minutes: options.windowMinutes)
            when = "the busiest \(options.windowMinutes) min of \(input.day)"
        } else {
            recent = TimeBuckets.trailingSum(input.buckets, endingAt: input.now, minutes: options.windowMinutes)
            let t = calendar.timeOfDay(input.now)
            when = "the \(options.windowMinutes) min up to \(t.hour < 10 ? "0" : "")\(t.hour):\(t.minute < 10 ? "0" : "")\(t.minute)"
        }
        let fired = recent > limit
        let reason = "\(recent) in \(when) \(fired ? ">" : "<=") max(floor \(options.floor), \(AlertFormatter.format(options.factor)) × busiest window \(peak) on the last \(options.days) working days) = \(limit)"
        return Verdict(detector: Self.type, fired: fired, reason: reason,
                       metrics: ["window_messages": Double(recent), "peak": Double(peak), "limit": Double(limit)])
    }
}
