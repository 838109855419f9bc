import Pipeline

/// Fires when today's messages exceed a fixed limit, whatever the history.
public struct HardCap: Detector {
    /// Options of `hard-cap`.
    public struct Options: PluginOptions {
        /// The most messages a user may send in a day without an alert.
        public var limit: Int

        static let limit = ConfigOption("limit", default: 200, in: 0...1_000_000_000, "Alert when a user sends more than this many messages in a day.")

        public static let specs = OptionSpec.list(limit)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            limit = try reader.read(Self.limit)
        }
    }

    public static let type = "hard-cap"
    public static let summary = "Fires above a fixed number of messages per day."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var historyDays: Int { 0 }

    public var description: String { "hard-cap: more than \(options.limit) messages a day" }

    public func evaluate(_ input: DetectorInput) -> Verdict {
        let fired = input.messages > options.limit
        return Verdict(detector: Self.type, fired: fired,
                       reason: "\(input.messages) \(fired ? ">" : "<=") limit \(options.limit)", allowed: options.limit)
    }
}
