import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe state check`: SQLite's integrity and foreign key checks plus mvpipe's own invariants.
struct StateCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the state file's integrity and mvpipe's invariants (reads only; exit 74 when damaged).",
        discussion: """
            Runs SQLite's integrity_check and foreign_key_check, then checks that counts are whole and not \
            negative, days are dates, each alert's payload is its alert and it has delivery records, and \
            the alert id sequence is ahead of every id, and every day with counts has its source_day row; \
            lists checkpoints by size, holds, client IPs, silences (in force on --now's day, or ended) and the \
            state's owner. Warnings (odd but \
            harmless, such as a queue for a notifier the config no longer has) do not fail the check. \
            An older schema is reported, not upgraded.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Judge the retry window as if at this local time (YYYY-MM-DDTHH:MM).")
    var now: String?

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let today = config.calendar.day(of: try CLI.parseNow(now, calendar: config.calendar))
        let expectations = StateCheckExpectations(sources: config.sources.map(\.name), notifiers: config.notifiers.map(\.name),
                                                  retryFrom: today.adding(days: -config.pendingDays), today: today)
        let (report, owner) = try CLI.guarded {
            let store = try StateStoreFactory.open(config.state, .readOnly, relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            return (try store.check(expectations), try? store.owner())
        }
        var lines = report.facts
        switch owner {
        case let owner? where owner == config.stateOwner: lines.append("owner: \(owner), this config")
        case let owner?: lines.append("warning: the state belongs to \(owner), not to this config (\(config.stateOwner)): runs of this config are refused; see `mvpipe state adopt`")
        default: lines.append("owner: none recorded yet (the next run records its config)")
        }
        lines += report.warnings.map { "warning: \($0)" }
        lines += report.problems.map { "problem: \($0)" }
        lines.append(report.isHealthy ? "state is fine" : "state is damaged: \(report.problems.count) problem(s)")
        try CLI.printOut(lines.joined(separator: "\n"))
        if !report.isHealthy {
            CLI.printError("state check found \(report.problems.count) problem(s) in \(config.state); restore it from a backup, or `mvpipe state export` what is readable and import it into a new file")
            throw ExitCode(ExitCodes.ioError)
        }
    }
}
