/// Messages (and, where the source knows them, recipients) of one user on one day.
public struct UserVolume: Sendable, Equatable, Codable {
    /// Messages sent.
    public var messages: Int
    /// Recipients of those messages, where the source knows them.
    public var recipients: Int?

    /// Creates a volume.
    public init(messages: Int, recipients: Int? = nil) {
        self.messages = messages
        self.recipients = recipients
    }
}

/// What a source found on one run.
public struct VolumeReport: Sendable {
    /// How the counts combine with what is already stored.
    public enum Mode: Sendable {
        /// The counts of each day in `scannedDays` replace what was stored for it (a folder scan).
        case snapshot
        /// The counts add to what is stored (new log lines since the checkpoint).
        case increment
    }

    /// How to store the counts.
    public var mode: Mode
    /// Per day, per user volume.
    public var counts: [Day: [String: UserVolume]]
    /// For `.snapshot`: every day that was read completely (a day with no mail is still scanned).
    public var scannedDays: [Day]
    /// Days that are complete: they will never be read again.
    public var finalDays: Set<Day>
    /// Saved with the counts in the same transaction, handed back on the next run.
    public var checkpoint: [UInt8]?
    /// Input the source could not use (malformed lines, unreadable entries).
    public var skipped: Int
    /// Things worth telling the admin once (said on stderr).
    public var notes: [String]

    /// Creates a report.
    public init(mode: Mode, counts: [Day: [String: UserVolume]] = [:], scannedDays: [Day] = [],
                finalDays: Set<Day> = [], checkpoint: [UInt8]? = nil, skipped: Int = 0, notes: [String] = []) {
        self.mode = mode
        self.counts = counts
        self.scannedDays = scannedDays
        self.finalDays = finalDays
        self.checkpoint = checkpoint
        self.skipped = skipped
        self.notes = notes
    }
}

/// A source that failed to read its input.
public struct SourceError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to check.
    public let message: String

    /// Creates a source error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
