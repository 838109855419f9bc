import Foundation
import Pipeline

/// Counts outgoing mail per SMTP AUTH login (or envelope sender) in Exim's main log.
///
/// A ``EximFormat`` (the line parser and the counting rules) on the shared reading path: incremental across runs,
/// rename rotation (`mainlog` → `mainlog.1` → `mainlog.2.gz`) and copytruncate, crash-safe (see ``MaillogReader``
/// and ``LogTracker``).
public struct EximLogSource: Source {
    /// Options of `exim-log`.
    public struct Options: PluginOptions {
        /// Files or glob patterns, resolved against the config file's folder.
        public var paths: [String]
        /// Whom a message is charged to.
        public var identity: EximIdentity
        /// Whether identities are ASCII-lower-cased.
        public var lowercase: Bool
        /// The most messages remembered while waiting for their deliveries.
        public var maxInFlight: Int

        static let paths = ConfigOption<[String]>.paths("paths", "Exim main log files or glob patterns, e.g. [\"/var/log/exim4/mainlog\", \"/var/log/exim4/mainlog.*\"]; rotated and .gz files are recognised by content.")
        static let identity = ConfigOption("identity", default: EximIdentity.login, "Whom a message is charged to: \"login\" (the SMTP AUTH login of A=authenticator:login; mail without one does not count) or \"sender\" (the envelope sender of authenticated mail).")
        static let lowercase = ConfigOption("lowercase", default: true, "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user.")
        static let maxInFlight = ConfigOption("max_in_flight", default: 100_000, in: 1_000...10_000_000, "The most messages remembered while waiting for their delivery lines (without log_selector +received_recipients; older ones are forgotten first).")

        public static let specs = OptionSpec.list(paths, identity, lowercase, maxInFlight)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            paths = try reader.read(Self.paths)
            identity = try reader.read(Self.identity)
            lowercase = try reader.read(Self.lowercase)
            maxInFlight = try reader.read(Self.maxInFlight)
        }
    }

    public static let type = "exim-log"
    public static let summary = "Counts outgoing messages per SMTP AUTH login (or sender) in Exim's mainlog, incrementally across runs and log rotation."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "exim-log: counts authenticated messages per \(options.identity.rawValue) in \(options.paths.joined(separator: ", "))"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        var tracker = LogTracker(format: EximFormat(identity: options.identity, lowercase: options.lowercase,
                                                    maxInFlight: options.maxInFlight),
                                 resolver: DayResolver(calendar: request.calendar, now: request.now))
        return try tracker.collect(kind: Self.type, paths: options.paths, request: request,
                                   missingHint: "Exim's main log, e.g. /var/log/exim4/mainlog",
                                   unrecognisedHint: "is it Exim's mainlog (lines start YYYY-MM-DD HH:MM:SS)?")
    }
}
