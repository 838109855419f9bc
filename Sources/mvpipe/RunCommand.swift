import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe run`: the cron job.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Count, judge and alert: the job cron or a systemd timer runs.",
        discussion: "Quiet when nothing is unusual. Exit 75 when alerts stay queued (they are retried on the next run)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Evaluate as if at this local time (YYYY-MM-DDTHH:MM[:SS], config time zone).")
    var now: String?

    @Flag(help: "Evaluate and print, but notify nobody and write nothing.")
    var dryRun = false

    @Flag(help: "Print one JSON object per alert raised on stdout (console notifier output goes to stderr).")
    var json = false

    @Option(help: "Seconds to wait for another run's lock before giving up with exit 75.")
    var lockTimeout: Double = 10

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger, consoleStream: json ? .standardError : .standardOutput)
        let now = try CLI.parseNow(self.now, calendar: config.calendar)
        let outcome = try CLI.guarded {
            let store: any StateStore = dryRun
                ? try SQLiteStateStore.scratchCopy(of: config.statePath)
                : try SQLiteStateStore(path: config.statePath)
            let lock = dryRun ? nil : try store.acquireRunLock(waiting: lockTimeout)
            defer { lock?.release() }
            return try PipelineRunner(config: config, store: store, logger: logger).run(now: now, dryRun: dryRun)
        }
        if json {
            for alert in outcome.raised { CLI.printOut(CLI.json(alert)) }
            for problem in outcome.collected.problems { CLI.printOut(CLI.json(problem)) }
        } else if dryRun && !outcome.raised.isEmpty {
            let batch = AlertBatch(host: config.hostName, alerts: outcome.raised, calendar: config.calendar)
            CLI.printOut("dry run: would alert (nobody was notified, nothing was written)\n")
            CLI.printOut(AlertFormatter.body(batch))
        }
        if outcome.pendingCount > 0 {
            let names = outcome.deliveries.filter { $0.value.pending > 0 }.keys.sorted().joined(separator: ", ")
            CLI.printError("\(outcome.pendingCount) alert(s) not delivered by \(names); they stay queued and are retried on the next run")
        }
        if outcome.exitCode != ExitCodes.ok { throw ExitCode(outcome.exitCode) }
    }
}
