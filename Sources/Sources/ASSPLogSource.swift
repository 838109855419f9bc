import Foundation
import Pipeline

/// Counts outgoing messages in ASSP's own log (`logs/maillog.txt`, rolled to `YY-MM-DD.maillog.txt`).
///
/// The line layout was reconstructed from ASSP's source (`sub mlog`, `sub getline`, `sub sayMessageOK`); no
/// captured `maillog.txt` was available, so the parser is tolerant and anything it does not recognise is skipped
/// and counted. The counting rules are in ``ASSPTracker`` and `docs/sources.md`.
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
            guard let paths = try reader.stringList("paths") else {
                throw ConfigError(reader.path(of: "paths"), "required: expected an array of file paths or glob patterns")
            }
            guard !paths.isEmpty else { throw ConfigError(reader.path(of: "paths"), "expected at least one path") }
            for (i, path) in paths.enumerated() where path.isEmpty {
                throw ConfigError("\(reader.path(of: "paths"))[\(i)]", "must not be empty")
            }
            self.paths = paths.map { context.resolve(path: $0) }
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
        var tracker = ASSPTracker(identity: options.identity, lowercase: options.lowercase,
                                  localDomains: options.localDomains,
                                  resolver: DayResolver(calendar: request.calendar, now: request.now))
        var notes: [String] = []
        var cursors: [FileCursor] = []
        var countThisRun = true
        if let saved = request.checkpoint {
            do {
                let checkpoint = try MaillogCheckpoint(decoding: saved, kind: Self.type)
                cursors = checkpoint.cursors
                var reader = CheckpointReader(checkpoint.state)
                try tracker.decodeState(from: &reader)
            } catch {
                countThisRun = false
                notes.append("the saved reading positions could not be decoded; this run only records where every file ends (nothing is counted twice, lines written since the last run are not counted)")
            }
        }
        var reader = MaillogReader(patterns: options.paths, cursors: cursors,
                                   now: Int64(request.now.timeIntervalSince1970))
        reader.read(into: &tracker)
        if reader.pathsMatched == 0 && cursors.isEmpty {
            throw SourceError("no file matches \(options.paths.joined(separator: ", ")); check \"paths\" (ASSP's logs/maillog.txt)")
        }
        tracker.evict()
        var state = CheckpointWriter()
        tracker.encodeState(to: &state)
        let checkpoint = MaillogCheckpoint(kind: Self.type, cursors: reader.cursors, state: state.bytes)
        var report = VolumeReport(
            mode: .increment,
            counts: countThisRun ? tracker.tally.volumes(users: tracker.users, withRecipients: false) : [:],
            checkpoint: checkpoint.encoded(),
            buckets: countThisRun ? tracker.tally.bucketCounts(users: tracker.users) : [:],
            skipped: reader.skipped,
            notes: reader.notes + notes)
        report.linesRead = reader.linesRead
        return report
    }
}
