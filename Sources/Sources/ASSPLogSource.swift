import Foundation
import Pipeline

/// Counts outgoing messages per AUTH login (or envelope sender) in ASSP's own log (`logs/maillog.txt`, rolled to
/// `YY-MM-DD.maillog.txt`), as real ASSP 2.4.5 and 1.10.1 write it (`Tests/Fixtures/assp`).
///
/// The counting rules are in ``ASSPFormat`` and `docs/sources.md`; the line layout in ``ASSPLine``.
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
        /// ASSP's `LogDateFormat`.
        public var dateFormat: String

        public static let specs: [OptionSpec] = [
            OptionSpec("paths", .stringList, default: nil, "ASSP log files or glob patterns, e.g. [\"/var/assp/logs/maillog.txt\", \"/var/assp/logs/*.maillog.txt\"]."),
            OptionSpec("identity", .string, default: "\"login\"", "\"login\": the AUTH login of the message's session (needs ASSP's AUTHLogUser), else the envelope sender; \"sender\": always the envelope sender."),
            OptionSpec("local_domains", .stringList, default: "[]", "The site's mail domains: unauthenticated mail from them, or to other domains (relayed), counts as outgoing; without them only mail of authenticated sessions (and ASSP 1.x's [LocalOK]) counts."),
            OptionSpec("lowercase", .boolean, default: "true", "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user."),
            OptionSpec("date_format", .string, default: "\"MMM-DD-YY hh:mm:ss\"", "ASSP's LogDateFormat, as set in ASSP (YYYY, YY, MMM, MM, DDD, DD, hh, mm, ss); month names are read in every LogDateLang language."),
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
            dateFormat = try reader.string("date_format") ?? ASSPDateFormat.standard.text
            do {
                _ = try ASSPDateFormat(dateFormat)
            } catch {
                throw ConfigError(reader.path(of: "date_format"), "expected ASSP's LogDateFormat such as \"MMM-DD-YY hh:mm:ss\": \(error.reason); found '\(dateFormat)'")
            }
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
        "assp-log: counts outgoing messages per \(options.identity.rawValue) in \(options.paths.joined(separator: ", "))"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        let resolver = DayResolver(calendar: request.calendar, now: request.now)
        let dates = try ASSPDateFormat(options.dateFormat).reading(at: resolver.reference)
        var tracker = LogTracker(format: ASSPFormat(identity: options.identity, lowercase: options.lowercase,
                                                    localDomains: options.localDomains, dateFormat: dates),
                                 resolver: resolver)
        return try tracker.collect(kind: Self.type, paths: options.paths, request: request, missingHint: "ASSP's logs/maillog.txt",
                                   unrecognisedHint: "is it ASSP's maillog.txt, and does \"date_format\" match ASSP's LogDateFormat (\(options.dateFormat) now)?")
    }
}
