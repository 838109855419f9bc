import Foundation
import Logging

/// Runs the pipeline once: sources → state → detectors → dedup → notifiers.
public struct PipelineRunner: Sendable {
    /// The validated config.
    public let config: PipelineConfig
    /// Where history and alerts live.
    public let store: any StateStore
    /// Diagnostics (stderr).
    public let logger: Logger

    /// Creates a runner.
    public init(config: PipelineConfig, store: any StateStore, logger: Logger) {
        self.config = config
        self.store = store
        self.logger = logger
    }

    /// Reads every source and stores what it found; returns the sources that failed (the others still count).
    public func collect(now: Date, extraDays: [Day] = []) throws -> CollectSummary {
        let calendar = config.calendar
        let today = calendar.day(of: now)
        let window = calendar.workingDays(before: today, count: config.historyDays)
        let recent = (0..<14).map { today.adding(days: -$0) }  // the alerts' sparkline
        let days = Array(Set(window + recent + extraDays)).sorted()
        var summary = CollectSummary()
        for source in config.sources {
            do {
                var request = CollectRequest(
                    now: now, today: today, days: days,
                    finalized: try store.finalizedDays(source: source.name, among: days),
                    checkpoint: try store.checkpoint(source: source.name), calendar: calendar)
                request.wantsBuckets = config.needsBuckets
                request.stored = StoredCounts(
                    messages: { [store, name = source.name] day in
                        try store.volumes(source: name, on: day).values.reduce(0) { $0 + $1.messages }
                    },
                    latestDay: { [store, name = source.name] in try store.latestDayWithMessages(source: name, among: days) })
                var report = try source.plugin.collect(request)
                try keepingStoredCounts(&report, source: source.name)
                TestPausePoint.store.reached()
                try store.apply(report, source: source.name, at: now)
                summary.daysRead[source.name] = report.mode == .snapshot ? report.scannedDays.count : nil
                summary.linesRead[source.name] = report.linesRead
                logger.info("\(Self.readSummary(report, source: source.name))")
                if report.skipped > 0 {
                    summary.skipped[source.name] = report.skipped
                    logger.warning("source \(source.name): skipped \(report.skipped) unusable entries")
                }
                for note in report.notes { logger.warning("source \(source.name): \(note)") }
                if !report.notes.isEmpty { summary.notes[source.name] = report.notes }
            } catch let error as SourceError {
                logger.error("source \(source.name) (\(source.path)) failed: \(error.message)")
                summary.failures[source.name] = error.message
            }
        }
        return summary
    }

    /// What a source read on this run, for `--log-level info`: lines (or days scanned), messages, users, days,
    /// skipped input.
    static func readSummary(_ report: VolumeReport, source: String) -> String {
        let messages = report.counts.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.messages } }
        let users = Set(report.counts.values.flatMap(\.keys)).count
        let days = report.counts.filter { !$0.value.isEmpty }.count
        let read = report.linesRead.map { "\($0) lines" } ?? "\(report.scannedDays.count) day(s) scanned"
        let verb = report.mode == .snapshot ? "counted" : "new"
        return "source \(source): read \(read); \(messages) \(verb) message(s) from \(users) user(s) on \(days) day(s); \(report.skipped) skipped"
    }

    /// Judges every user seen today and decides which alerts to raise (new, escalated, or updated).
    public func evaluate(now: Date) throws -> [AlertDraft] {
        let today = config.calendar.day(of: now)
        let volumes = try store.volumes(on: today).filter { $0.value.messages > 0 }
        let users = volumes.keys.sorted()
        let evaluator = Evaluator(config: config, store: store)
        let silenced = try Silence.active(on: today, in: store)
        var drafts: [AlertDraft] = []
        // A slice of users at a time, keeping only what fired: judging a day with a million senders at once held
        // every user's history, verdicts and sparkline in memory (1.5 GB).
        for start in stride(from: 0, to: users.count, by: Self.judgeSlice) {
            let slice = users[start..<min(users.count, start + Self.judgeSlice)]
            let judgements = try evaluator.judge(day: today, now: now,
                                                 volumes: Dictionary(uniqueKeysWithValues: slice.map { ($0, volumes[$0]!) }))
            let fired = judgements.filter(\.fired)
            for judgement in fired {
                if let silence = silenced[judgement.user] {
                    logger.info("\(UntrustedText.display(judgement.user)) would alert but is silenced until \(silence.until): \(UntrustedText.display(silence.reason))")
                }
            }
            try draft(fired.filter { silenced[$0.user] == nil }, today: today, now: now, into: &drafts)
        }
        return drafts
    }

    /// Users judged together by ``evaluate(now:)``.
    static let judgeSlice = 10_000

    private func draft(_ judgements: [Judgement], today: Day, now: Date, into drafts: inout [AlertDraft]) throws {
        for judgement in judgements {
            var alert = judgement.alert(raisedAt: now)
            let shares = try store.relayShares(user: judgement.user, day: today)
            if shares.count > 1 { alert.relays = shares }
            alert.clientIPs = try ClientIPEvidence.of(user: judgement.user, day: today, in: store)
            guard let last = try store.latestAlert(user: judgement.user, day: today) else {
                drafts.append(AlertDraft(alert: alert))
                continue
            }
            if !last.deliveredAnywhere {
                // Still queued: refresh its numbers, keep its id so retries stay idempotent.
                alert.sequence = last.sequence
                if last.messages != alert.messages { drafts.append(AlertDraft(alert: alert, replacing: last.id)) }
            } else if Double(alert.messages) >= config.realertFactor * Double(last.messages) {
                alert.sequence = last.sequence + 1
                drafts.append(AlertDraft(alert: alert))
            }
        }
    }

    /// Delivers every queued alert to every notifier; each notifier keeps its own record.
    public func deliver(now: Date) throws -> [String: DeliveryResult] {
        let since = config.calendar.day(of: now).adding(days: -config.pendingDays)
        var results: [String: DeliveryResult] = [:]
        let today = config.calendar.day(of: now)
        for notifier in config.notifiers {
            // A notifier added to the config after today's alerts were raised gets them too (a containment action
            // added in the afternoon acts on accounts that alerted in the morning, within its circuit breaker).
            let added = try store.queueOpenAlerts(notifier: notifier.name, day: today)
            if added > 0 {
                logger.notice("notifier \(notifier.name) is new in the config: queued today's \(added) open alert(s) for it")
            }
        }
        try contain(now: now, since: since, into: &results)
        for notifier in config.notifiers where !(notifier.plugin is any ContainmentAction) {
            let pending = try store.pendingAlerts(notifier: notifier.name, since: since)
            guard !pending.isEmpty else { continue }
            let batch = AlertBatch(host: config.hostName, alerts: pending, calendar: config.calendar)
            let ids = pending.map(\.id)
            logger.debug("notifier \(notifier.name): delivering \(pending.count) alert(s)")
            do {
                try notifier.plugin.deliver(batch)
                TestKillPoint.delivered.reached()
                try store.recordDelivery(alertIDs: ids, notifier: notifier.name, at: Date())
                logger.info("notifier \(notifier.name): delivered \(pending.count) alert(s)")
                results[notifier.name] = DeliveryResult(delivered: pending.count, pending: 0, error: nil)
            } catch {
                let message = (error as? NotifierError)?.message ?? "\(error)"
                try store.recordFailure(alertIDs: ids, notifier: notifier.name, error: message, at: Date())
                logger.error("notifier \(notifier.name) failed, \(pending.count) alert(s) stay queued for the next run: \(message)")
                results[notifier.name] = DeliveryResult(delivered: 0, pending: pending.count, error: message)
            }
        }
        return results
    }

    /// The whole run: collect, evaluate, save alerts, and (unless `dryRun`) deliver.
    public func run(now: Date, dryRun: Bool = false) throws -> RunOutcome {
        var progress = RunProgress()
        return try run(now: now, dryRun: dryRun, progress: &progress)
    }

    /// The whole run, recording each step's result in `progress` as soon as it is known
    /// (also when a later step throws).
    public func run(now: Date, dryRun: Bool = false, progress: inout RunProgress) throws -> RunOutcome {
        let collected = try collect(now: now)
        progress.collected = collected
        let drafts = try evaluate(now: now)
        let raised = try store.saveAlerts(drafts, notifiers: config.notifiers.map(\.name))
        let shown = dryRun ? try planContainment(raised, now: now) : raised
        progress.raised = shown
        let deliveries = dryRun ? [:] : try deliver(now: now)
        progress.deliveries = deliveries
        return RunOutcome(today: config.calendar.day(of: now), raised: shown, collected: collected,
                          deliveries: deliveries)
    }
}

/// What the sources did on one run.
public struct CollectSummary: Sendable {
    /// Sources that failed, with the reason.
    public var failures: [String: String] = [:]
    /// Skipped input per source.
    public var skipped: [String: Int] = [:]
    /// Notes per source (said once per run on stderr).
    public var notes: [String: [String]] = [:]
    /// Days read per snapshot source.
    public var daysRead: [String: Int] = [:]
    /// Log lines read per source that reads lines (see ``VolumeReport/linesRead``).
    public var linesRead: [String: Int] = [:]

    /// Creates an empty summary.
    public init() {}

    /// Sources with something to report: failed, skipped input, or notes; sorted by name.
    public var problems: [SourceProblem] {
        Set(failures.keys).union(skipped.keys).union(notes.keys).sorted().map {
            SourceProblem(source: $0, error: failures[$0], skipped: skipped[$0] ?? 0, notes: notes[$0] ?? [])
        }
    }
}

/// One source's trouble on one run, as `--json` reports it.
public struct SourceProblem: Sendable, Codable, Equatable {
    /// The source's name.
    public var source: String
    /// Why it failed, if it did.
    public var error: String?
    /// Unusable input it skipped (malformed lines, unreadable entries).
    public var skipped: Int
    /// Things it noticed.
    public var notes: [String]
}

/// One notifier's result on one run.
public struct DeliveryResult: Sendable, Equatable {
    /// Alerts delivered.
    public var delivered: Int
    /// Alerts still queued.
    public var pending: Int
    /// The error, if delivery failed.
    public var error: String?
}

/// The result of one run, and the exit code it maps to.
public struct RunOutcome: Sendable {
    /// The day evaluated.
    public var today: Day
    /// Alerts raised (new, escalated, or updated) on this run.
    public var raised: [Alert]
    /// What the sources did.
    public var collected: CollectSummary
    /// Per notifier, what happened.
    public var deliveries: [String: DeliveryResult]

    /// Alerts left undelivered, summed over notifiers.
    public var pendingCount: Int { deliveries.values.reduce(0) { $0 + $1.pending } }

    /// 75 when alerts stay queued or a notifier failed (a containment action that could not bring its map in line
    /// with the state), 66 when a source could not be read, else 0.
    public var exitCode: Int32 {
        if pendingCount > 0 || deliveries.values.contains(where: { $0.error != nil }) { return ExitCodes.tempFail }
        if !collected.failures.isEmpty { return ExitCodes.noInput }
        return ExitCodes.ok
    }
}

/// mvpipe's exit codes (sysexits.h).
public enum ExitCodes {
    /// Nothing wrong.
    public static let ok: Int32 = 0
    /// Bad command line.
    public static let usage: Int32 = 64
    /// Input data was invalid (a `state import` file that is not a valid export).
    public static let dataError: Int32 = 65
    /// A source's input (archive root, log files) was missing or unreadable.
    public static let noInput: Int32 = 66
    /// The state file could not be used.
    public static let ioError: Int32 = 74
    /// Alerts are queued undelivered, or another run holds the lock: try again later.
    public static let tempFail: Int32 = 75
    /// The config is invalid.
    public static let config: Int32 = 78
    /// Standard output's reader went away while SIGPIPE was ignored (128 + SIGPIPE, what a shell reports for a
    /// filter SIGPIPE ended).
    public static let outputClosed: Int32 = 141
}
