import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe test-notify`: one clearly marked test alert through every notifier (or one), reporting each result.
struct TestNotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-notify",
        abstract: "Send a clearly marked test alert through every notifier (or --notifier NAME) and report each result; stores nothing.",
        discussion: "Exit 0 when every notifier took it, 75 when one failed (its error is shown, without secrets)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Only this notifier (its \"name\", or its type when it has none).", valueName: "name"))
    var notifier: String?

    /// The user of the test alert: a reserved domain, so it can never be a real account.
    static let testUser = "mvpipe-test-alert@example.invalid"

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        var notifiers = config.notifiers
        if let notifier {
            notifiers = notifiers.filter { $0.name == notifier }
            guard !notifiers.isEmpty else {
                CLI.printError("--notifier: no notifier \(UntrustedText.display(notifier)) in \(common.config); it has: \(config.notifiers.map(\.name).joined(separator: ", "))")
                throw ExitCode(ExitCodes.usage)
            }
        }
        let batch = Self.testBatch(config: config, now: Date())
        var failed = 0
        for entry in notifiers {
            do {
                try entry.plugin.deliver(batch)
                try CLI.printOut("notifier [\(entry.name)]: test alert delivered (\(entry.plugin.description))")
            } catch let error as OutputError {
                throw error
            } catch {
                failed += 1
                let message = (error as? NotifierError)?.message ?? "\(error)"
                try CLI.printOut("notifier [\(entry.name)]: FAILED: \(message)")
            }
        }
        try CLI.printOut(failed == 0
            ? "test alert sent through \(notifiers.count) notifier(s); nothing was stored"
            : "\(failed) of \(notifiers.count) notifier(s) failed; nothing was stored")
        if failed > 0 { throw ExitCode(ExitCodes.tempFail) }
    }

    /// One alert, marked as a test in its host, user and reason, for today.
    static func testBatch(config: PipelineConfig, now: Date) -> AlertBatch {
        let day = config.calendar.day(of: now)
        let reason = "TEST ALERT sent by `mvpipe test-notify` to check delivery; nothing is wrong and no account is affected"
        let alert = Alert(id: Int64(now.timeIntervalSince1970 * 1000), user: testUser, day: day, messages: 0, average: 0, allowed: 0,
                          verdicts: [Verdict(detector: "test-notify", fired: true, reason: reason)],
                          history: [], recent: [DayCount(day: day, messages: 0)], raisedAt: now)
        return AlertBatch(host: "\(config.hostName) [TEST]", alerts: [alert], calendar: config.calendar)
    }
}
