import Foundation
import Pipeline

/// Counts outgoing mail per SASL login (or envelope sender, or client IP) in Postfix's entries of the systemd
/// journal, for systems where Postfix logs only there.
///
/// The same parser and rules as `postfix-log` (``PostfixFormat`` on the shared ``LogTracker``); the entries come from
/// libsystemd's sd-journal (``JournalReader``), selected by Postfix's systemd unit, dated by their wall-clock time,
/// and read incrementally by the journal's cursor, saved with the counts in one transaction.
public struct PostfixJournalSource: Source {
    /// Options of `postfix-journal`.
    public struct Options: PluginOptions {
        /// A folder of journal files instead of the local system journal.
        public var directory: String?
        /// Whom a message is charged to.
        public var identity: PostfixIdentity
        /// Whether identities are ASCII-lower-cased.
        public var lowercase: Bool
        /// The most queue IDs remembered between entries and runs.
        public var maxInFlight: Int

        static let directory = ConfigOption<String?>.path("directory", absent: "the local system journal", "A folder of journal files (a copied or remote journal, systemd-journal-remote's output) instead of the local system journal.")

        public static let specs = OptionSpec.list(directory, PostfixIdentity.Counting.identity, PostfixIdentity.Counting.lowercase,
                                                  PostfixIdentity.Counting.maxInFlight)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            directory = try reader.read(Self.directory)
            identity = try reader.read(PostfixIdentity.Counting.identity)
            lowercase = try reader.read(PostfixIdentity.Counting.lowercase)
            maxInFlight = try reader.read(PostfixIdentity.Counting.maxInFlight)
        }
    }

    public static let type = "postfix-journal"
    public static let summary = "Counts outgoing messages per SASL login (or sender, or client IP) in Postfix's systemd journal entries, incrementally by the journal's cursor."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "postfix-journal: counts messages per \(options.identity.rawValue) in \(options.directory.map { "the journal files in \($0)" } ?? "the system journal")"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        var tracker = LogTracker(format: PostfixFormat(identity: options.identity, lowercase: options.lowercase,
                                                       maxInFlight: options.maxInFlight),
                                 resolver: DayResolver(calendar: request.calendar, now: request.now))
        return try tracker.collectJournal(kind: Self.type, directory: options.directory, request: request)
    }
}
