import Foundation
import Pipeline

/// Counts outgoing mail per SASL login (or envelope sender, or client IP) in Postfix's mail log.
///
/// Reads only what is new since the last run, across rename rotation, compression and copytruncate (see
/// ``MaillogReader``), and reports ``VolumeReport/Mode/increment`` counts with a checkpoint that the runner stores
/// in the same transaction. The counting rules are in ``PostfixFormat`` and `docs/sources.md`.
public struct PostfixLogSource: Source {
    /// Options of `postfix-log`.
    public struct Options: PluginOptions {
        /// Files or glob patterns, resolved against the config file's folder.
        public var paths: [String]
        /// Whom a message is charged to.
        public var identity: PostfixIdentity
        /// Whether identities are ASCII-lower-cased.
        public var lowercase: Bool
        /// The most queue IDs remembered between lines and runs.
        public var maxInFlight: Int

        static let paths = ConfigOption<[String]>.paths("paths", "Log files or glob patterns, e.g. [\"/var/log/mail.log\", \"/var/log/mail.log.1\", \"/var/log/mail.log.*.gz\"]; rotated and .gz files are recognised by content.")

        public static let specs = OptionSpec.list(paths, PostfixIdentity.Counting.identity, PostfixIdentity.Counting.lowercase,
                                                  PostfixIdentity.Counting.maxInFlight)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            paths = try reader.read(Self.paths)
            identity = try reader.read(PostfixIdentity.Counting.identity)
            lowercase = try reader.read(PostfixIdentity.Counting.lowercase)
            maxInFlight = try reader.read(PostfixIdentity.Counting.maxInFlight)
        }
    }

    public static let type = "postfix-log"
    public static let summary = "Counts outgoing messages per SASL login (or sender, or client IP) in Postfix's mail log, incrementally across runs and log rotation."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "postfix-log: counts messages per \(options.identity.rawValue) in \(options.paths.joined(separator: ", "))"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        var tracker = LogTracker(format: PostfixFormat(identity: options.identity, lowercase: options.lowercase,
                                                       maxInFlight: options.maxInFlight),
                                 resolver: DayResolver(calendar: request.calendar, now: request.now))
        return try tracker.collect(kind: Self.type, paths: options.paths, request: request, missingHint: "Postfix's mail log, e.g. /var/log/mail.log")
    }
}
