import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe silence`: no alerts for a user until a day (like `amtool silence add`); the user is still counted.
struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Raise no alert for a user through a day (expected mail, such as a mailing); still counted and explained.",
        discussion: "The silence is kept in the state (every relay of a shared state honours it). Setting it again replaces it; `mvpipe unsilence` ends it early, `mvpipe silences` lists them."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The user (sender address or login) exactly as mvpipe counts it (see `mvpipe counts`).")
    var user: String

    @Option(help: "The last day silenced, YYYY-MM-DD (alerts come back the day after).")
    var until: String

    @Option(help: "Why (shown by `silences` and `explain`).")
    var reason: String

    @Option(help: "Take today to be this local time (YYYY-MM-DDTHH:MM) instead of now.")
    var now: String?

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let calendar = config.calendar
        let realNow = try CLI.parseNow(now, calendar: calendar)
        let today = calendar.day(of: realNow)
        let last = try CLI.parseDay(until, option: "--until")
        guard last >= today else {
            CLI.printError("--until \(last) is before today (\(today)): that silence would already be over")
            throw ExitCode(ExitCodes.usage)
        }
        guard !user.isEmpty, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            CLI.printError("give a user and a --reason (the next admin to read `mvpipe silences` needs it)")
            throw ExitCode(ExitCodes.usage)
        }
        let known: Bool = try CLI.guarded(configFile: common.config) {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: true), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            try store.claim(for: config.stateOwner, state: config.state)
            guard let silences = store as? any SilenceStore else {
                throw StateError.unusable("this state store keeps no silences")
            }
            try silences.addSilence(Silence(user: user, until: last, reason: reason, createdAt: realNow))
            return try store.users(since: today.adding(days: -ClientIPEvidence.newAfterDays)).contains(user)
        }
        try CLI.printOut("silenced \(UntrustedText.display(user)) through \(last) (no alerts; still counted): \(UntrustedText.display(reason))")
        if !known {
            CLI.printError("note: \(UntrustedText.display(user)) sent no mail in the last \(ClientIPEvidence.newAfterDays) days as far as the state knows; a silence matches the name exactly as `mvpipe counts` shows it")
        }
    }
}
