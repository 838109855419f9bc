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

        public static let specs: [OptionSpec] = [
            OptionSpec("paths", .stringList, default: nil, "Log files or glob patterns, e.g. [\"/var/log/mail.log\", \"/var/log/mail.log.1\", \"/var/log/mail.log.*.gz\"]; rotated and .gz files are recognised by content."),
            OptionSpec("identity", .string, default: "\"sasl_username\"", "Whom a message is charged to: \"sasl_username\" (the SASL login; mail without one does not count), \"sender\" (qmgr's from= address; bounces do not count) or \"client_ip\"."),
            OptionSpec("lowercase", .boolean, default: "true", "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user."),
            OptionSpec("max_in_flight", .integer, default: "100000", "The most queue IDs remembered while waiting for their qmgr line (older ones are forgotten first)."),
        ]

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            paths = try reader.requiredPaths("paths", context: context)
            let name = try reader.string("identity") ?? PostfixIdentity.saslUsername.rawValue
            guard let identity = PostfixIdentity(rawValue: name) else {
                throw ConfigError(reader.path(of: "identity"), "expected one of \(PostfixIdentity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")); found '\(name)'")
            }
            self.identity = identity
            lowercase = try reader.boolean("lowercase", default: true)
            maxInFlight = try reader.integer("max_in_flight", default: 100_000, in: 1_000...10_000_000)
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
