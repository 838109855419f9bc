import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe check`: validates the config and says what the pipeline would do.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and describe what the pipeline would do (writes nothing)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Describe the run as if at this local time (YYYY-MM-DDTHH:MM).")
    var now: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Check that this account (the one cron or systemd runs mvpipe as) can read the sources, run the mail program, read secret files and write the state (default: the current account).", valueName: "user"))
    var account: String?

    @Flag(help: "Validate the config only: skip the checks of files, programs, secrets and the state (for a config written on another machine).")
    var configOnly = false

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let now = try CLI.parseNow(self.now, calendar: config.calendar)
        let calendar = config.calendar
        let today = calendar.day(of: now)
        let window = calendar.workingDays(before: today, count: config.historyDays)
        var lines: [String] = []
        lines.append("config \(common.config) is valid.")
        lines.append("time zone \(calendar.zoneName); today is \(today) (\(today.weekday.fullName)), \(calendar.isWorkingDay(today) ? "a working day" : "not a working day")")
        lines.append("working days: \(Weekday.allCases.filter(calendar.workdays.contains).map(\.rawValue).joined(separator: " ")); \(calendar.holidays.count) holiday(s)")
        if let oldest = window.last, let newest = window.first {
            lines.append("history window: \(window.count) working days, \(oldest) to \(newest)")
        }
        let me = config.stateOwner
        var foreign: StateOwner?
        var stateExists = true
        let state = config.state
        switch Result(catching: { try StateStoreFactory.open(state, .readOnly, relay: config.hostName).owner() }) {
        case .failure(StateError.missing):
            stateExists = false
            lines.append("state: \(state) (will be created on the first run, for this config: \(me))")
        case .failure(let error as ConfigError):
            try CLI.guarded(configFile: common.config) { throw error }
        case .success(let owner?) where owner == me:
            lines.append("state: \(state) (exists; belongs to this config)")
        case .success(let owner?):
            foreign = owner
            lines.append("state: \(state) (exists; belongs to \(owner), not to this config: \(me); runs of this config are refused)")
        case .success(nil):
            lines.append("state: \(state) (exists; no owner recorded yet: the next run records this config, \(me))")
        case .failure(let error):
            lines.append("state: \(state) (exists, but cannot be used: \(error); see `mvpipe state check`)")
        }
        lines.append("sources (counts are summed over all):")
        for s in config.sources { lines.append("  - [\(s.name)] \(s.plugin.description)") }
        lines.append("detectors (a user alerts when any fires):")
        for d in config.detectors { lines.append("  - [\(d.name)] \(d.plugin.description)\(d.metric == .recipients ? " (counting recipients)" : "")") }
        lines.append("notifiers (each keeps its own delivery record):")
        for n in config.notifiers { lines.append("  - [\(n.name)] \(n.plugin.description)") }
        if !config.overrides.isEmpty {
            lines.append("overrides (first match wins):")
            var seen: Set<String>?
            if stateExists {
                seen = try? StateStoreFactory.open(state, .scratch(create: false), relay: config.hostName).users(since: today.adding(days: -30))
            }
            for o in config.overrides {
                let what = o.ignore ? "ignored (counted, never alerted)" : "own detectors: " + (o.detectors ?? []).map(\.name).joined(separator: ", ")
                var line = "  - \(o.path) \(o.users.map(\.text).joined(separator: ", ")) → \(what)"
                if let seen {
                    let matched = seen.filter(o.matches).count
                    line += matched == 0 ? "\n    warning: matches nobody seen in the last 30 days (typo?)" : " (matches \(matched) user(s) seen in the last 30 days)"
                }
                lines.append(line)
            }
        }
        if stateExists, let store = try? StateStoreFactory.open(state, .readOnly, relay: config.hostName),
           let silenced = try? Silence.summary(on: today, in: store) {
            lines.append("silences: " + silenced)
        }
        lines.append("an alerted user alerts again the same day at \(AlertFormatter.format(config.realertFactor))× the count of the last alert; undelivered alerts are retried for \(config.pendingDays) days")
        let runner: Account
        if configOnly {
            runner = Account.current
        } else if let name = account {
            guard let found = Account.named(name) else {
                CLI.printError("--as: there is no account \(UntrustedText.display(name)) on this machine (see `getent passwd`)")
                throw ExitCode(ExitCodes.usage)
            }
            runner = found
        } else {
            runner = Account.current
        }
        let problems = configOnly ? [] : Self.setupProblems(config, account: runner, environment: ProcessInfo.processInfo.environment)
        if configOnly {
            lines.append("setup: not checked (--config-only)")
        } else if problems.isEmpty {
            lines.append("setup: \(runner) can read every source, reach every notifier's program and secrets, and write the state")
        } else {
            lines.append("setup problems for \(runner) (a run as \(runner) would fail or stay incomplete):")
            lines += problems.map { "  - \($0)" }
        }
        try CLI.printOut(lines.joined(separator: "\n"))
        if let foreign {
            CLI.printError("config error in \(common.config) at \(me.refusal(ownedBy: foreign, state: state).description)")
        }
        if !problems.isEmpty {
            CLI.printError("\(problems.count) setup problem(s) for \(runner), listed above; fix them before the first run")
        }
        if foreign != nil || !problems.isEmpty { throw ExitCode(ExitCodes.config) }
    }
}
