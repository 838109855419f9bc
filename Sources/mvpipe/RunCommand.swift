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

    @OptionGroup var lock: LockTimeoutOption

    @Option(help: ArgumentHelp("After each run (also a failed one), atomically write node_exporter textfile metrics here (e.g. /var/lib/prometheus/node-exporter/mvpipe.prom); not with --dry-run.", valueName: "path"))
    var prometheusTextfile: String?

    @Option(help: ArgumentHelp("How many of today's busiest users the metrics name (bounded label cardinality).", valueName: "n"))
    var prometheusTop: Int = 10

    func validate() throws {
        guard (0...1000).contains(prometheusTop) else {
            throw ValidationError("--prometheus-top must be between 0 and 1000")
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        var metrics = RunMetrics()
        var store: (any StateStore)?
        var today: Day?
        do {
            try execute(metrics: &metrics, store: &store, today: &today)
            metrics.exitCode = ExitCodes.ok
        } catch {
            metrics.exitCode = Self.exitCode(of: error)
            writeMetrics(&metrics, store: store, today: today, duration: clock.now - started)
            throw error
        }
        writeMetrics(&metrics, store: store, today: today, duration: clock.now - started)
    }

    /// The exit code argument-parser will end the process with for `error`.
    static func exitCode(of error: any Error) -> Int32 {
        switch error {
        case let code as ExitCode: code.rawValue
        case is ValidationError: ExitCodes.usage
        case OutputError.closed: ExitCodes.outputClosed
        case is OutputError: ExitCodes.ioError
        default: 1
        }
    }

    /// Writes the Prometheus textfile, if asked for, with what the run got done.
    private func writeMetrics(_ metrics: inout RunMetrics, store: (any StateStore)?, today: Day?, duration: Duration) {
        guard let path = prometheusTextfile, !dryRun else { return }
        let parts = duration.components
        metrics.duration = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        metrics.timestamp = Date()
        if let store, metrics.progress.collected != nil {
            if let today, let volumes = try? store.volumes(on: today) {
                metrics.topUsers = RunMetrics.top(volumes, count: prometheusTop)
            }
            if let today {
                let since = today.adding(days: -(metrics.pendingDays))
                var pending: [String: Int] = [:]
                for name in metrics.notifiers {
                    guard let count = try? store.pendingCount(notifier: name, since: since) else {
                        pending = [:]
                        break
                    }
                    pending[name] = count
                }
                if pending.count == metrics.notifiers.count { metrics.pending = pending }
            }
        }
        do {
            try AtomicFile.write(metrics.render(), to: path)
        } catch {
            CLI.printError("--prometheus-textfile: \(error)")
        }
    }

    private func execute(metrics: inout RunMetrics, store: inout (any StateStore)?, today: inout Day?) throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger, consoleStream: json ? .standardError : .standardOutput)
        metrics.sources = config.sources.map(\.name)
        metrics.detectors = config.detectors.map(\.name)
        metrics.notifiers = config.notifiers.map(\.name)
        metrics.pendingDays = config.pendingDays
        let now = try CLI.parseNow(self.now, calendar: config.calendar)
        today = config.calendar.day(of: now)
        var progress = RunProgress()
        defer { metrics.progress = progress }
        let outcome = try CLI.guarded(configFile: common.config) {
            let opened = try StateStoreFactory.open(config.state, dryRun ? .scratch(create: true) : .readWrite(create: true), relay: config.hostName)
            let lock = dryRun ? nil : try opened.acquireRunLock(waiting: self.lock.seconds)
            defer { lock?.release() }
            try opened.claim(for: config.stateOwner, state: config.state)
            store = opened
            return try PipelineRunner(config: config, store: opened, logger: logger)
                .run(now: now, dryRun: dryRun, progress: &progress)
        }
        if json {
            for alert in outcome.raised { try CLI.printOut(CLI.json(alert)) }
            for problem in outcome.collected.problems { try CLI.printOut(CLI.json(problem)) }
        } else if dryRun && !outcome.raised.isEmpty {
            let batch = AlertBatch(host: config.hostName, alerts: outcome.raised, calendar: config.calendar)
            try CLI.printOut("dry run: would alert (nobody was notified, nothing was written)\n")
            try CLI.printOut(AlertFormatter.body(batch))
        }
        if outcome.pendingCount > 0 {
            let names = outcome.deliveries.filter { $0.value.pending > 0 }.keys.sorted().joined(separator: ", ")
            CLI.printError("\(outcome.pendingCount) alert(s) not delivered by \(names); they stay queued and are retried on the next run")
        }
        if outcome.exitCode != ExitCodes.ok { throw ExitCode(outcome.exitCode) }
    }
}
