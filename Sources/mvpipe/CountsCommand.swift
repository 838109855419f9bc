import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe counts`: what the sources see per user on a day.
struct CountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counts",
        abstract: "Show per-user message counts for a day (default today), as the sources see them."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "The day, YYYY-MM-DD (default: today in the config's time zone).")
    var day: String?

    @Flag(help: "One JSON object per user on stdout (and one per source that skipped input or failed).")
    var json = false

    @Option(help: "Read the sources as if at this local time (YYYY-MM-DDTHH:MM[:SS]), e.g. to pin the year of year-less log lines.")
    var now: String?

    @OptionGroup var lock: LockTimeoutOption

    /// Tests read logs a piece at a time and need what `counts` read to stay read, as `run` keeps it; nobody else
    /// should: `counts` is read-only without it.
    @Flag(help: .hidden)
    var storeForTests = false

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let now = try CLI.parseNow(self.now, calendar: config.calendar)
        let today = config.calendar.day(of: now)
        let target = try day.map { try CLI.parseDay($0, option: "--day") } ?? today
        let (volumes, summary): ([String: UserVolume], CollectSummary) = try CLI.guarded(configFile: common.config) {
            // Read-only: the sources are read into a scratch copy (like `run --dry-run`); the state is never
            // created, written or locked, so running this as root leaves nothing cron's account cannot open.
            let store = try StateStoreFactory.open(config.state, storeForTests ? .readWrite(create: true) : .scratch(create: true), relay: config.hostName)
            let lock = storeForTests ? try store.acquireRunLock(waiting: self.lock.seconds) : nil
            defer { lock?.release() }
            try store.claim(for: config.stateOwner, state: config.state)
            let runner = PipelineRunner(config: config, store: store, logger: logger)
            let summary = try runner.collect(now: now, extraDays: target <= today ? [target] : [])
            let volumes = try store.volumes(on: target)
            if !volumes.values.contains(where: { $0.messages > 0 }), summary.failures.isEmpty {
                CLI.printError(try Self.coverage(store: store, target: target, today: today, config: config))
            }
            return (volumes, summary)
        }
        let rows = volumes.filter { $0.value.messages > 0 }.sorted {
            $0.value.messages != $1.value.messages ? $0.value.messages > $1.value.messages : $0.key < $1.key
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (user, volume) in rows {
                let line = CountLine(user: user, day: target.description, messages: volume.messages, recipients: volume.recipients)
                try CLI.printOut(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
            for problem in summary.problems { try CLI.printOut(CLI.json(problem)) }
        } else {
            try CLI.printOut("\(target): \(rows.count) users, \(rows.reduce(0) { $0 + $1.value.messages }) messages")
            if !rows.isEmpty { try CLI.printOut(pad("messages", 8) + " " + pad("recipients", 10) + "  user") }
            for (user, volume) in rows {
                let recipients = volume.recipients.map { String($0) } ?? "-"
                try CLI.printOut(pad(String(volume.messages), 8) + " " + pad(recipients, 10) + "  " + UntrustedText.display(user))
            }
        }
        if !summary.failures.isEmpty { throw ExitCode(ExitCodes.noInput) }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// One line of `counts --json`.
struct CountLine: Encodable {
    var user: String
    var day: String
    var messages: Int
    var recipients: Int?

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case user, day, messages, recipients }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(user, forKey: .user)
        try c.encode(day, forKey: .day)
        try c.encode(messages, forKey: .messages)
        try c.encode(recipients, forKey: .recipients)
    }
}
