import Foundation

/// Where mvpipe keeps history, source checkpoints and the alert log.
///
/// The runner talks only to this protocol, so a shared PostgreSQL store for several relays
/// can stand in for the SQLite one.
public protocol StateStore: Sendable {
    /// Takes the run lock, waiting up to `seconds`; throws ``StateError/locked`` when another run holds it.
    func acquireRunLock(waiting seconds: Double) throws -> any RunLock
    /// The config this state belongs to; nil until a command that writes recorded one (see ``StateOwner``).
    func owner() throws -> StateOwner?
    /// Records `owner` if the recorded owner is `expected` (nil: none yet), in one step, and returns true;
    /// returns false and changes nothing when it is not (another config got there first).
    func recordOwner(_ owner: StateOwner, ifCurrent expected: StateOwner?) throws -> Bool
    /// The days among `days` that `source` has already reported final.
    func finalizedDays(source: String, among days: [Day]) throws -> Set<Day>
    /// The checkpoint `source` saved on its last run.
    func checkpoint(source: String) throws -> [UInt8]?
    /// Stores a source's report (counts, final days, checkpoint) in one transaction.
    ///
    /// `.snapshot`: each scanned day's counts (and the buckets in ``VolumeReport/bucketSpans``) replace what
    /// `source` stored for it; `.increment`: they add to it. Days in ``VolumeReport/finalDays`` become final and
    /// stay final. The runner, not the store, keeps a snapshot from lowering a stored count (see
    /// ``PipelineRunner``): the store writes what it is given. Buckets of every source that started more than
    /// ``TimeBuckets/retention`` before `date` are dropped.
    func apply(_ report: VolumeReport, source: String, at date: Date) throws
    /// What `source` alone stored for `day`, per user (empty when nothing).
    func volumes(source: String, on day: Day) throws -> [String: UserVolume]
    /// The latest day among `days` on which `source` stored more than zero messages, if any.
    func latestDayWithMessages(source: String, among days: [Day]) throws -> Day?
    /// Per user, `source`'s own messages per 5-minute bucket with a start in `[from, to)`.
    func buckets(source: String, users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]]
    /// Every user's volume on `day`, summed over sources.
    func volumes(on day: Day) throws -> [String: UserVolume]
    /// Messages per user per day, summed over sources, for the given users and days (missing: no mail).
    func dailyMessages(users: [String], days: [Day]) throws -> [String: [Day: Int]]
    /// Per user, messages per 5-minute bucket with a start in `[from, to)`, summed over sources.
    func buckets(users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]]
    /// Per relay, `user`'s messages on `day`, most first; empty for a store of one relay (the default).
    func relayShares(user: String, day: Day) throws -> [RelayShare]
    /// Users with any mail on days from `since` on.
    func users(since: Day) throws -> Set<String>
    /// The latest alert for `user` on `day`, if any.
    func latestAlert(user: String, day: Day) throws -> AlertRecord?
    /// Saves new alerts and updates (`replacing` an undelivered alert) in one transaction,
    /// queueing each for delivery to `notifiers`; returns the alerts with their ids.
    func saveAlerts(_ drafts: [AlertDraft], notifiers: [String]) throws -> [Alert]
    /// Queues for `notifier` every open alert of `day` (each user's latest) it has no record of, because it was
    /// added to the config after they were raised; returns how many it queued (0 when it knows them all).
    func queueOpenAlerts(notifier: String, day: Day) throws -> Int
    /// Alerts of days from `since` on that `notifier` has not yet delivered, oldest first. A store shared by several
    /// relays returns only what this relay may deliver now, and claims it (see the PostgreSQL store).
    func pendingAlerts(notifier: String, since: Day) throws -> [Alert]
    /// How many alerts of days from `since` on `notifier` has not delivered, without claiming any (for metrics).
    func pendingCount(notifier: String, since: Day) throws -> Int
    /// Records that `notifier` delivered these alerts.
    func recordDelivery(alertIDs: [Int64], notifier: String, at date: Date) throws
    /// Records a failed attempt (for `check` and metrics); the alerts stay pending.
    func recordFailure(alertIDs: [Int64], notifier: String, error: String, at date: Date) throws
}

/// A held run lock; released by ``release()`` or when the value goes away.
public protocol RunLock: AnyObject, Sendable {
    /// Releases the lock.
    func release()
}

/// An alert as the dedup logic needs to see it.
public struct AlertRecord: Sendable, Equatable {
    /// The alert's id.
    public var id: Int64
    /// Messages when it was raised (or last updated).
    public var messages: Int
    /// Its sequence on that day (1 first, 2+ escalations).
    public var sequence: Int
    /// Whether at least one notifier delivered it.
    public var deliveredAnywhere: Bool

    /// Creates a record.
    public init(id: Int64, messages: Int, sequence: Int, deliveredAnywhere: Bool) {
        self.id = id
        self.messages = messages
        self.sequence = sequence
        self.deliveredAnywhere = deliveredAnywhere
    }
}

/// An alert to save: new, or replacing the numbers of an undelivered one.
public struct AlertDraft: Sendable {
    /// The alert (its `id` is ignored for new alerts).
    public var alert: Alert
    /// The id of an undelivered alert this one updates, keeping its id (and idempotency keys).
    public var replacing: Int64?

    /// Creates a draft.
    public init(alert: Alert, replacing: Int64? = nil) {
        self.alert = alert
        self.replacing = replacing
    }
}

/// A problem with the state store.
public enum StateError: Error, Sendable, CustomStringConvertible {
    /// Another run holds the lock.
    case locked(String)
    /// There is no state yet (a command that only reads or changes an existing state was asked to open it).
    case missing(String)
    /// The state cannot be opened, read or written.
    case unusable(String)
    /// A shared state's database cannot be reached (down, refusing, or not answering in time): nothing was stored,
    /// try again later (exit 75, unlike ``unusable(_:)``'s 74, which means damaged or unusable).
    case unreachable(String)

    public var description: String {
        switch self {
        case .locked(let m), .missing(let m), .unusable(let m), .unreachable(let m): m
        }
    }
}
