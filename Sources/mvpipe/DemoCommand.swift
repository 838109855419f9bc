import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe demo`: lays out a realistic ASSP archive with a planted spammer and runs the real pipeline on it.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the real pipeline on a generated ASSP archive and Postfix log with planted incidents (in a temporary folder)."
    )

    @Option(help: "Lay the demo out here instead of a new temporary folder.")
    var directory: String?

    @Flag(help: "Keep the demo folder (archive, config, state) to explore it with other commands.")
    var keep = false

    func run() throws {
        let root = directory ?? NSTemporaryDirectory() + "mvpipe-demo-\(ProcessInfo.processInfo.processIdentifier)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if !keep && directory == nil { try? fm.removeItem(atPath: root) } }

        let timeZone = TimeZone.current
        let calendar = WorkCalendar(timeZone: timeZone)
        let now = Date()
        let archive = root + "/archive"
        let summary = try DemoArchive.layOut(at: archive, today: calendar.day(of: now), calendar: calendar)
        let maillog = root + "/mail.log"
        let logged = try DemoMaillog.write(to: maillog, now: now, calendar: calendar)
        let configPath = root + "/pipeline.json"
        let config = """
            {
              "timezone": "\(timeZone.identifier)",
              "state": "state.sqlite",
              "workdays": ["mon", "tue", "wed", "thu", "fri"],
              "sources": [
                { "type": "assp-archive", "path": "archive" },
                { "type": "postfix-log", "name": "submission", "paths": ["mail.log"] }
              ],
              "detectors": [
                { "type": "percent-over-average", "days": 10, "percent": 150, "floor": 100 },
                { "type": "hard-cap", "limit": 200 },
                { "type": "hard-cap", "name": "recipients-cap", "metric": "recipients", "limit": 1000 }
              ],
              "notifiers": [{ "type": "console" }]
            }
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))

        try CLI.printOut("""
            mvpipe demo: an ASSP archive at \(archive)
              \(summary.senders) senders, \(summary.days) days up to today, \(summary.files) archived messages.
              Planted today: j.doe@example.org sends \(DemoArchive.spamToday) (usually ~25: a stolen password),
              bert@example.org sends \(DemoArchive.bertToday) (usually ~12); newsletter@example.org sends its usual ~150.
            and a Postfix submission log at \(maillog) (\(logged) messages, SASL logins of example.net):
              m.smith@example.net sends \(DemoMaillog.stolenToday) (usually ~20), mostly from addresses it never used;
              events@example.net sends \(DemoMaillog.bccMessages) messages to \(DemoMaillog.bccRecipients) recipients each (a BCC run).
            Config: \(configPath) (percent-over-average 150% / floor 100, hard-cap 200, recipients-cap 1000
            recipients, console notifier)

            Alerts come most severe first (furthest over the limit), with the client addresses of log sources.

            First run (what cron runs every few minutes):
            """)
        let logger = CLI.makeLogger(level: .warning)
        let loaded = try CLI.guarded(configFile: configPath) {
            try PipelineConfig.load(path: configPath, registry: builtinRegistry,
                                    environment: ProcessInfo.processInfo.environment, logger: logger)
        }
        let outcome = try CLI.guarded {
            let store = try StateStoreFactory.open(loaded.state, .readWrite(create: true), relay: loaded.hostName)
            let runner = PipelineRunner(config: loaded, store: store, logger: logger)
            let first = try runner.run(now: now)
            let second = try runner.run(now: now.addingTimeInterval(60))
            return (first, second)
        }
        try CLI.printOut("""
            Second run a minute later: \(outcome.1.raised.isEmpty ? "no new alerts (each user is reported once a day unless the count doubles)" : "\(outcome.1.raised.count) alert(s)").
            First run read \(outcome.0.collected.daysRead.values.reduce(0, +)) day folders; the second read \(outcome.1.collected.daysRead.values.reduce(0, +)) (finished days are final in the state).
            """)
        let kept = keep || directory != nil
        let c = kept ? configPath : "DEMO/pipeline.json"
        try CLI.printOut("""

            \(kept ? "The demo folder stays: \(root)" : "The demo folder \(root) is removed now; run `mvpipe demo --keep` to keep it (DEMO below).")
            Next, try:
              mvpipe explain --config \(c) m.smith@example.net      the arithmetic, history and NEW addresses
              mvpipe counts --config \(c)                            today's messages and recipients per user
              mvpipe silence --config \(c) events@example.net --until \(calendar.day(of: now).adding(days: 7)) --reason "event invitations"
              mvpipe silences --config \(c)                          then unsilence, like amtool
              mvpipe check --config \(c)                             the config, sources, state and notifiers
            """)
        if outcome.0.exitCode != ExitCodes.ok { throw ExitCode(outcome.0.exitCode) }
    }
}
