import Foundation
import Pipeline

/// Counts outgoing messages in ASSP's own log (`logs/maillog.txt`, rolled to `YY-MM-DD.maillog.txt`).
///
/// The line layout was reconstructed from ASSP's source (`sub mlog`, `sub getline`, `sub sayMessageOK`); no
/// captured `maillog.txt` was available, so the parser is tolerant and anything it does not recognise is skipped
/// and counted. The counting rules are in ``ASSPFormat`` and `docs/sources.md`.
public struct ASSPLogSource: Source {
    /// Options of `assp-log`.
    public struct Options: PluginOptions {
        /// Files or glob patterns, resolved against the config file's folder.
        public var paths: [String]
        /// Whom a message is charged to.
        public var identity: ASSPIdentity
        /// The site's own mail domains, lower-cased.
        public var localDomains: [String]
        /// Whether identities are ASCII-lower-cased.
        public var lowercase: Bool

        public static let specs: [OptionSpec] = [
            OptionSpec("paths", .stringList, default: nil, "ASSP log files or glob patterns, e.g. [\"/var/assp/logs/maillog.txt\", \"/var/assp/logs/*.maillog.txt\"]."),
            OptionSpec("identity", .string, default: "\"login\"", "\"login\": the AUTH user ASSP logged for the connection (needs AUTHLogUser), else the envelope sender; \"sender\": always the envelope sender."),
            OptionSpec("local_domains", .stringList, default: "[]", "The site's mail domains: [MessageOK] mail from them, or to other domains (relayed), counts as outgoing; without them only mail with a logged AUTH user counts."),
            OptionSpec("lowercase", .boolean, default: "true", "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user."),
        ]

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            paths = try reader.requiredPaths("paths", context: context)
            let name = try reader.string("identity") ?? ASSPIdentity.login.rawValue
            guard let identity = ASSPIdentity(rawValue: name) else {
                throw ConfigError(reader.path(of: "identity"), "expected \"login\" or \"sender\"; found '\(name)'")
            }
            self.identity = identity
            let domains = try reader.stringList("local_domains") ?? []
            for (i, domain) in domains.enumerated() where domain.isEmpty || domain.contains("@") || domain.contains(" ") {
                throw ConfigError("\(reader.path(of: "local_domains"))[\(i)]", "expected a domain such as \"example.org\"; found '\(domain)'")
            }
            localDomains = domains.map { $0.lowercased() }
            lowercase = try reader.boolean("lowercase", default: true)
        }
    }

    public static let type = "assp-log"
    public static let summary = "Counts outgoing messages per AUTH login or sender in ASSP's maillog.txt, incrementally across runs and log rotation."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "assp-log: counts [MessageOK] messages per \(options.identity.rawValue) in \(options.paths.joined(separator: ", "))"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        var tracker = LogTracker(format: ASSPFormat(identity: options.identity, lowercase: options.lowercase,
                                                    localDomains: options.localDomains),
                                 resolver: DayResolver(calendar: request.calendar, now: request.now))
        return try tracker.collect(kind: Self.type, paths: options.paths, request: request, missingHint: "ASSP's logs/maillog.txt")
    }
}
