import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe explain`: one user's numbers and every detector's arithmetic.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a user's recent counts as a bar chart and each detector's verdict with its arithmetic."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The user (sender address or login) as mvpipe counts it.")
    var user: String

    @Option(help: "The day to explain, YYYY-MM-DD (default: today; a past day is judged as of its end).")
    var day: String?

    @Option(help: "Judge as of this local time (YYYY-MM-DDTHH:MM) instead of now.")
    var now: String?

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let calendar = config.calendar
        let realNow = try CLI.parseNow(now, calendar: calendar)
        let target = try day.map { try CLI.parseDay($0, option: "--day") } ?? calendar.day(of: realNow)
        let at = min(realNow, calendar.start(of: target.adding(days: 1)).addingTimeInterval(-1))
        var evidence: [String] = []
        let judgement: Judgement? = try CLI.guarded(configFile: common.config) {
            // Read-only, like `counts`: a scratch copy, never the state itself.
            let store = try StateStoreFactory.open(config.state, .scratch(create: true), relay: config.hostName)
            try store.claim(for: config.stateOwner, state: config.state)
            _ = try PipelineRunner(config: config, store: store, logger: logger).collect(now: realNow, extraDays: [target])
            let known = try store.users(since: min(target, calendar.day(of: realNow)).adding(days: -30))
            if !known.contains(user) {
                let close = Self.closest(to: user, in: known)
                let hint = close.isEmpty
                    ? "no user has mail in that time: do the sources name the right files? See `mvpipe check`"
                    : "closest known: " + close.map { UntrustedText.display($0) }.joined(separator: ", ")
                CLI.printError("no mail from \(UntrustedText.display(user)) in the 30 days before \(target) (users are named as the sources count them, e.g. the SASL login); \(hint)")
                throw ExitCode(ExitCodes.noInput)
            }
            let volume = try store.volumes(on: target)[user] ?? UserVolume(messages: 0)
            let evaluator = Evaluator(config: config, store: store)
            evidence = try Self.evidenceLines(user: user, day: target, store: store)
            return try evaluator.judge(day: target, now: at, volumes: [user: volume]).first
        }
        guard let judgement else {
            CLI.printError("no data for \(UntrustedText.display(user))")
            throw ExitCode(ExitCodes.noInput)
        }
        try CLI.printOut(([Self.render(judgement, config: config, at: at)] + evidence).joined(separator: "\n"))
    }

    /// The explanation as text.
    static func render(_ j: Judgement, config: PipelineConfig, at: Date) -> String {
        let calendar = config.calendar
        let time = calendar.timeOfDay(at)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var lines: [String] = []
        lines.append("\(UntrustedText.display(j.user)) on \(j.day) (\(j.day.weekday.fullName)), as of \(two(time.hour)):\(two(time.minute)) \(calendar.zoneName)")
        lines.append("")
        let rows = [(j.day, j.volume.messages, "today")] + j.history.map { ($0.day, $0.messages, String($0.day.weekday.rawValue)) }
        let top = rows.map(\.1).max() ?? 0
        for (day, messages, label) in rows {
            let bar = Sparkline.bar(messages, top: top, width: 40)
            lines.append("  \(day) \(label.padding(toLength: 5, withPad: " ", startingAt: 0)) \(bar)\(bar.isEmpty ? "" : " ")\(messages)")
        }
        lines.append("")
        lines.append("last 14 days: \(Sparkline.render(j.recent.map(\.messages)))  (\(j.recent.first!.day) to \(j.day))")
        let total = j.history.reduce(0) { $0 + $1.messages }
        if !j.history.isEmpty {
            let average = Double(total) / Double(j.history.count)
            lines.append("baseline: \(j.history.count) working days before \(j.day): total \(total), average \(AlertFormatter.format(average)), busiest \(j.history.map(\.messages).max() ?? 0), days with mail \(j.history.filter { $0.messages > 0 }.count)")
        }
        if let override = config.overrides.first(where: { $0.matches(j.user) }) {
            lines.append("override: \(override.path) matches (\(override.users.map(\.text).joined(separator: ", "))) → \(override.ignore ? "ignored: never alerts" : "its own detectors")")
        }
        lines.append("")
        lines.append("detectors:")
        for v in j.verdicts {
            lines.append("  [\(v.detector)] \(v.fired ? "FIRES" : "quiet"): \(v.reason)")
        }
        lines.append("")
        if j.ignored {
            lines.append("verdict: ignored by an override (still counted)")
        } else {
            let fired = j.verdicts.filter(\.fired).count
            lines.append("verdict: \(fired > 0 ? "ALERT" : "no alert") (\(fired) of \(j.verdicts.count) detectors fire)")
        }
        return lines.joined(separator: "\n")
    }
}
