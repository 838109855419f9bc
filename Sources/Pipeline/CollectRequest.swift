import Foundation

/// What the runner asks a source for on one run.
public struct CollectRequest: Sendable {
    /// The moment the run evaluates (the real time, or `--now`).
    public let now: Date
    /// The local day of `now`.
    public let today: Day
    /// The days the runner needs counts for, oldest first (the detectors' windows and today).
    public let days: [Day]
    /// Days this source has already reported as final; they need not be read again.
    public let finalized: Set<Day>
    /// What the source saved at the end of its last run (for example file offsets), if anything.
    public let checkpoint: [UInt8]?
    /// The site's calendar.
    public let calendar: WorkCalendar
    /// How long after a day's end it is considered complete (late writers finish).
    public let settleSeconds: TimeInterval
    /// Whether a detector reads 5-minute buckets (``VolumeReport/buckets``); sources for which
    /// buckets cost extra work (a `stat` per archived file) may skip them when not.
    public var wantsBuckets: Bool = true
    /// What this source stored on earlier runs (asked only when needed): a source that finds nothing where it found
    /// mail before fails instead of reporting empty days.
    public var stored: StoredCounts = .none

    /// Creates a request.
    public init(now: Date, today: Day, days: [Day], finalized: Set<Day>, checkpoint: [UInt8]?,
                calendar: WorkCalendar, settleSeconds: TimeInterval = 300) {
        self.now = now
        self.today = today
        self.days = days
        self.finalized = finalized
        self.checkpoint = checkpoint
        self.calendar = calendar
        self.settleSeconds = settleSeconds
    }

    /// Whether `day` has ended (plus the settle time), so its count can no longer change.
    public func isComplete(_ day: Day) -> Bool {
        calendar.start(of: day.adding(days: 1)).addingTimeInterval(settleSeconds) <= now
    }

    /// The days still to read: requested and not yet final.
    public var pendingDays: [Day] { days.filter { !finalized.contains($0) } }
}
