import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe state prune`: removes history older than the detectors need.
struct StatePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove counts, source days, buckets and settled alerts older than --keep-days days.",
        discussion: """
            Keeps today and the N days before it. Removes volume rows, source days, 5-minute buckets and \
            alerts of older days that every notifier delivered (or that were superseded), plus undelivered \
            alerts past the pending_days retry window, holds released and silences ended before then, and \
            client IPs of older days, except those of the 30 days alerts compare addresses with (none is kept \
            over 90 days); never an alert still being retried, a hold or silence in force, or a source's \
            checkpoint. One transaction, under the run lock. Refuses an N shorter than the detectors' \
            history window (working days counted back with the config's calendar) or the 14-day sparkline \
            unless --force.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Keep today and this many days before it.")
    var keepDays: Int

    @Flag(help: "Say what would be removed, and change nothing.")
    var dryRun = false

    @Flag(help: "Prune even history the detectors still need (their baselines shrink until it grows back).")
    var force = false

    @Option(help: "Prune as if at this local time (YYYY-MM-DDTHH:MM).")
    var now: String?

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let today = config.calendar.day(of: try CLI.parseNow(now, calendar: config.calendar))
        guard keepDays >= 0 else {
            CLI.printError("--keep-days must be 0 or more, found \(keepDays)")
            throw ExitCode(ExitCodes.usage)
        }
        let oldest = config.oldestDayNeeded(today: today)
        let needed = today.dayNumber - oldest.dayNumber
        if keepDays < needed && !force {
            CLI.printError("--keep-days \(keepDays) would remove history the pipeline still reads: its detectors look back \(config.historyDays) working days and alerts show 14 days, which reaches back to \(oldest) (\(needed) days before \(today)). Use --keep-days \(needed) or more, or --force to prune anyway (baselines then shrink)")
            throw ExitCode(ExitCodes.usage)
        }
        let before = today.adding(days: -keepDays)
        let plan = PrunePlan(before: before, bucketsBefore: Int64(config.calendar.start(of: before).timeIntervalSince1970),
                             retryFrom: today.adding(days: -config.pendingDays),
                             clientIPsBefore: PrunePlan.clientIPCutOff(before: before, today: today))
        let report = try CLI.guarded(configFile: common.config) {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: false), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            if dryRun {
                try store.requireOwner(config.stateOwner, state: config.state)
            } else {
                try store.claim(for: config.stateOwner, state: config.state)
            }
            return try store.prune(plan, dryRun: dryRun)
        }
        var lines = [dryRun
            ? "dry run: would remove from \(config.state) everything before \(before) (nothing was changed):"
            : "pruned \(config.state): removed everything before \(before):"]
        func row(_ count: Int, _ what: String) { lines.append(pad(count) + " " + what) }
        row(report.volumeRows, "volume rows (daily counts)")
        row(report.sourceDays, "source days")
        row(report.buckets, "5-minute buckets")
        row(report.settledAlerts, "alerts delivered or superseded")
        row(report.expiredAlerts, "undelivered alerts past the \(config.pendingDays)-day retry window")
        row(report.deliveries, "delivery records of those alerts")
        row(report.releasedHolds, "holds released before \(before)")
        row(report.clientIPs, "client IP rows before \(plan.clientIPsBefore) (kept: the \(ClientIPEvidence.newAfterDays) days alerts compare addresses with, at most \(ClientIPEvidence.retentionDays) days)")
        row(report.endedSilences, "silences that ended before \(before)")
        lines.append("kept: \(report.keptPendingAlerts) older undelivered alert(s) still being retried; every source checkpoint")
        lines.append("kept: \(report.keptHolds) hold(s) in force (a hold is pruned only once released)")
        lines.append("kept: \(report.keptSilences) silence(s) in force or ended since \(before)")
        try CLI.printOut(lines.joined(separator: "\n"))
    }

    private func pad(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, 9 - s.count)) + s
    }
}
