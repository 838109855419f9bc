import Foundation

/// A notifier-stage plugin that acts on alerts instead of only reporting them (`postfix-hold`).
///
/// The runner calls ``contain(_:)`` before any other notifier of the run, with the alerts this action has not yet
/// handled (also none: the action then checks that what it maintains still matches the state). What it says about
/// each alert is stored with the alert (``Alert/containment``), so every channel's text says what was done.
public protocol ContainmentAction: Notifier {
    /// The detectors that may cause an action (nil: every detector); checked against the config's detectors.
    var detectorFilter: [String]? { get }
    /// The file the action owns and rewrites whole (a map); two entries owning one file would undo each other's
    /// work on every run, so the config refuses that.
    var ownedFile: String? { get }
    /// Acts on the request's alerts and brings what the action maintains in line with the ledger.
    /// Throws only when the state cannot be read or written; a failed map write or reload is the outcome's error.
    func contain(_ request: ContainmentRequest) throws -> ContainmentOutcome
    /// Brings what the action maintains (a map file) in line with the ledger, without new alerts (after a release);
    /// returns whether anything had to change.
    func synchronize(ledger: any HoldLedger) throws(NotifierError) -> Bool
}

/// What a ``ContainmentAction`` gets on one run.
public struct ContainmentRequest: Sendable {
    /// The alerts to act on (in a dry run: the alerts raised by the run).
    public var batch: AlertBatch
    /// The state's holds.
    public var ledger: any HoldLedger
    /// The run's time.
    public var now: Date
    /// Only say what would be done; change nothing.
    public var dryRun: Bool
    /// The config's `realert_factor` (a released account is held again the same day only at this many times the
    /// messages it was held for).
    public var realertFactor: Double
    /// The config file (for the `mvpipe release --config …` hint).
    public var configFile: String

    /// Creates a request.
    public init(batch: AlertBatch, ledger: any HoldLedger, now: Date, dryRun: Bool, realertFactor: Double,
                configFile: String) {
        self.batch = batch
        self.ledger = ledger
        self.now = now
        self.dryRun = dryRun
        self.realertFactor = realertFactor
        self.configFile = configFile
    }
}

/// What a ``ContainmentAction`` did on one run.
public struct ContainmentOutcome: Sendable {
    /// Per alert id, one line saying what was done about it (and how to undo it), or why nothing was done.
    public var notes: [Int64: String] = [:]
    /// Set when the action failed (the map could not be written, the reload failed): a failed delivery, retried on
    /// the next run.
    public var error: NotifierError?

    /// Creates an outcome.
    public init(notes: [Int64: String] = [:], error: NotifierError? = nil) {
        self.notes = notes
        self.error = error
    }
}
