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
        /// ASSP's `LogDateFormat`, compiled.
        var dateFormat: ASSPDateFormat

        static let paths = ConfigOption<[String]>.paths("paths", "ASSP log files or glob patterns, e.g. [\"/var/assp/logs/maillog.txt\", \"/var/assp/logs/*.maillog.txt\"].")
        static let identity = ConfigOption("identity", default: ASSPIdentity.login, "\"login\": the AUTH login of the message's session (needs ASSP's AUTHLogUser), else the envelope sender; \"sender\": always the envelope sender.")
        static let localDomains = ConfigOption<[String]>("local_domains", default: [], "The site's mail domains: unauthenticated mail from them, or to other domains (relayed), counts as outgoing; without them only mail of authenticated sessions (and ASSP 1.x's [LocalOK]) counts.")
            .map { domains, _ in
                for (i, domain) in domains.enumerated() where domain.isEmpty || domain.contains("@") || domain.contains(" ") {
                    throw OptionError("expected a domain such as \"example.org\"; found '\(UntrustedText.display(domain))'", at: "[\(i)]")
                }
                return domains.map { $0.lowercased() }
            }
        static let lowercase = ConfigOption("lowercase", default: true, "Lower-case identities (ASCII letters) so Bob@x and bob@x are one user.")
        static let dateFormat = ConfigOption("date_format", default: ASSPDateFormat.standard.text, "ASSP's LogDateFormat, as set in ASSP (YYYY, YY, MMM, MM, DDD, DD, hh, mm, ss); month names are read in every LogDateLang language.")
            .map { text, _ in
                do throws(ASSPDateFormat.Invalid) {
                    return try ASSPDateFormat(text)
                } catch {
                    throw OptionError("expected ASSP's LogDateFormat such as \"MMM-DD-YY hh:mm:ss\": \(error.reason); found '\(UntrustedText.display(text))'")
                }
            }

        public static let specs = OptionSpec.list(paths, identity, localDomains, lowercase, dateFormat)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            paths = try reader.read(Self.paths)
            identity = try reader.read(Self.identity)
            localDomains = try reader.read(Self.localDomains)
            lowercase = try reader.read(Self.lowercase)
            dateFormat = try reader.read(Self.dateFormat)
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
        let dates = options.dateFormat.reading(at: resolver.reference)
        var tracker = LogTracker(format: ASSPFormat(identity: options.identity, lowercase: options.lowercase,
                                                    localDomains: options.localDomains, dateFormat: dates),
                                 resolver: resolver)
        return try tracker.collect(kind: Self.type, paths: options.paths, request: request, missingHint: "ASSP's logs/maillog.txt",
                                   unrecognisedHint: "is it ASSP's maillog.txt, and does \"date_format\" match ASSP's LogDateFormat (\(options.dateFormat.text) now)?")
    }
}
