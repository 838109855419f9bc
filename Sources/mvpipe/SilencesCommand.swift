import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe silences`: the silences in the state (like `amtool silence query`).
struct SilencesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silences",
        abstract: "List the silences in the state: user, last day silenced, whether in force today, reason."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Take today to be this local time (YYYY-MM-DDTHH:MM) instead of now.")
    var now: String?

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let today = config.calendar.day(of: try CLI.parseNow(now, calendar: config.calendar))
        let list: [Silence] = try CLI.guarded(configFile: common.config) {
            let store: any ManagedStateStore
            do {
                store = try StateStoreFactory.open(config.state, .readOnly, relay: config.hostName)
            } catch StateError.missing {
                return []
            }
            return try (store as? any SilenceStore)?.silences() ?? []
        }
        guard !list.isEmpty else {
            try CLI.printOut("no silences")
            return
        }
        try CLI.printOut("until       state   set         user: reason")
        for s in list.sorted(by: { ($0.until, $0.user) < ($1.until, $1.user) }) {
            let set = config.calendar.day(of: s.createdAt)
            try CLI.printOut("\(s.until)  \(s.covers(today) ? "active" : "ended ")  \(set)  \(UntrustedText.display(s.user)): \(UntrustedText.display(s.reason))")
        }
    }
}
