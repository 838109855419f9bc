import Foundation

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
    /// Per user, messages per 5-minute bucket (see ``TimeBuckets``). For `.snapshot` they replace the
    /// stored buckets of each scanned day; for `.increment` they add to them.
    public var buckets: [String: [Int64: Int]]
    /// For `.snapshot`: the bucket ranges (bucket starts, `[lower, upper)`) the scan covered completely;
    /// the store replaces this source's buckets in them.
    public var bucketSpans: [Range<Int64>] = []
    /// Input the source could not use (malformed lines, unreadable entries).
    public var skipped: Int
    /// Things worth telling the admin once (said on stderr).
    public var notes: [String]
    /// Log lines read on this run, for sources that read lines (nil for the others); for metrics.
    public var linesRead: Int?
    /// Per day, per user, messages per client IP seen on this run (log sources that see `client=` / `[IP]`; empty
    /// for the others). Always added to what is stored (see ``EvidenceStore``).
    public var clientIPs: [Day: [String: [String: Int]]] = [:]

    /// Creates a report.
    public init(mode: Mode, counts: [Day: [String: UserVolume]] = [:], scannedDays: [Day] = [],
                finalDays: Set<Day> = [], checkpoint: [UInt8]? = nil, buckets: [String: [Int64: Int]] = [:],
                skipped: Int = 0, notes: [String] = []) {
        self.mode = mode
        self.counts = counts
        self.scannedDays = scannedDays
        self.finalDays = finalDays
        self.checkpoint = checkpoint
        self.buckets = buckets
        self.skipped = skipped
        self.notes = notes
    }
}

extension VolumeReport {
    /// Counts one message of `user` at `date` in the buckets.
    public mutating func addToBucket(user: String, at date: Date, messages: Int = 1) {
        buckets[user, default: [:]][TimeBuckets.start(of: date), default: 0] += messages
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
