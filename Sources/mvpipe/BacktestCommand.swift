import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe backtest`: replays stored history with a config's detectors; changes nothing.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the stored history day by day and list which users would have alerted (reads state only).",
        discussion: """
            Every user with mail on each day is judged with the config's detectors and overrides, on the \
            history before that day; burst judges each day's busiest window from the stored 5-minute counts. \
            With --against, both configs judge the same state (the first config's) and the alerts only one of \
            them raises are listed.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "First day, YYYY-MM-DD.")
    var from: String

    @Option(help: "Last day, YYYY-MM-DD (default: yesterday).")
    var to: String?

    @Option(help: "A second config whose detectors to compare with.")
    var against: String?

    @Flag(help: "One JSON object per alert on stdout.")
    var json = false

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let other: PipelineConfig? = try against.map { path in
            try CLI.guarded(configFile: path) {
                try PipelineConfig.load(path: path, registry: builtinRegistry,
                                        environment: ProcessInfo.processInfo.environment, logger: logger)
            }
        }
        let today = config.calendar.day(of: Date())
        let first = try CLI.parseDay(from, option: "--from")
        let last = try to.map { try CLI.parseDay($0, option: "--to") } ?? today.adding(days: -1)
        guard first <= last, last.dayNumber - first.dayNumber <= 3660 else {
            CLI.printError("--from must not be after --to, and the range at most ten years")
            throw ExitCode(ExitCodes.usage)
        }
        let (mine, theirs, judged, note) = try CLI.guarded(configFile: common.config) {
            let store: any ManagedStateStore
            do {
                store = try StateStoreFactory.open(config.state, .scratch(create: false), relay: config.hostName)
            } catch StateError.missing {
                throw StateError.missing("no state at \(config.state) yet: backtests replay what `mvpipe run` has stored")
            }
            try store.requireOwner(config.stateOwner, state: config.state)
            var judged = 0
            func replay(_ pipeline: PipelineConfig) throws -> [BacktestHit] {
                var hits: [BacktestHit] = []
                var day = first
                let evaluator = Evaluator(config: pipeline, store: store)
                while day <= last {
                    let volumes = try store.volumes(on: day).filter { $0.value.messages > 0 }
                    let end = pipeline.calendar.start(of: day.adding(days: 1)).addingTimeInterval(-1)
                    let judgements = try evaluator.judge(day: day, now: end, volumes: volumes, wholeDay: true)
                    judged += judgements.count
                    hits += judgements.filter(\.fired).map {
                        BacktestHit(day: $0.day, user: $0.user, messages: $0.volume.messages,
                                    detectors: $0.verdicts.filter(\.fired).map(\.detector))
                    }
                    day = day.adding(days: 1)
                }
                return hits
            }
            let note = try Self.shortHistoryNote(store: store, configs: [config] + (other.map { [$0] } ?? []), first: first, last: last)
            let mine = try replay(config)
            let theirs = try other.map(replay)
            return (mine, theirs, judged, note)
        }
        if json {
            if let note { CLI.printError(note) }  // stdout stays JSON lines
            try printJSON(mine: mine, theirs: theirs)
        } else {
            try printText(mine: mine, theirs: theirs, judged: judged, first: first, last: last, state: config.state, note: note)
        }
    }

    private func printJSON(mine: [BacktestHit], theirs: [BacktestHit]?) throws(OutputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func emit(_ hit: BacktestHit, _ which: String?) throws(OutputError) {
            var record = hit
            record.config = which
            try CLI.printOut(String(decoding: (try? encoder.encode(record)) ?? Data(), as: UTF8.self))
        }
        guard let theirs else {
            for hit in mine { try emit(hit, nil) }
            return
        }
        let a = Set(mine.map(\.key)), b = Set(theirs.map(\.key))
        for hit in mine { try emit(hit, b.contains(hit.key) ? "both" : "config") }
        for hit in theirs where !a.contains(hit.key) { try emit(hit, "against") }
    }

    private func printText(mine: [BacktestHit], theirs: [BacktestHit]?, judged: Int, first: Day, last: Day,
                           state: StateLocation, note: String?) throws(OutputError) {
        var lines: [String] = []
        lines.append("backtest \(first) to \(last) on \(state): \(last.dayNumber - first.dayNumber + 1) days, \(judged) user-days judged")
        if let note { lines.append(note) }
        func summary(_ name: String, _ hits: [BacktestHit]) {
            lines.append("\(name): \(hits.count) alerts on \(Set(hits.map(\.day)).count) days for \(Set(hits.map(\.user)).count) users")
        }
        func list(_ hits: [BacktestHit]) {
            for hit in hits {
                lines.append("  \(hit.day)  \(UntrustedText.display(hit.user))  \(hit.messages) messages  [\(hit.detectors.joined(separator: ", "))]")
            }
        }
        summary(common.config, mine)
        if let theirs, let against {
            summary(against, theirs)
            let a = Set(mine.map(\.key)), b = Set(theirs.map(\.key))
            let onlyMine = mine.filter { !b.contains($0.key) }, onlyTheirs = theirs.filter { !a.contains($0.key) }
            lines.append("only \(common.config) (\(onlyMine.count)):")
            list(onlyMine)
            lines.append("only \(against) (\(onlyTheirs.count)):")
            list(onlyTheirs)
            lines.append("both: \(mine.count - onlyMine.count)")
        } else {
            list(mine)
        }
        try CLI.printOut(lines.joined(separator: "\n"))
    }
}

/// One user alerting on one day in a backtest.
struct BacktestHit: Encodable {
    var day: Day
    var user: String
    var messages: Int
    var detectors: [String]
    var config: String?

    var key: String { "\(day) \(user)" }
}
