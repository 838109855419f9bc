import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe release`: lifts holds that containment (`postfix-hold`) put on accounts, rewrites the map and reloads.
struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Lift the hold on accounts (postfix-hold), rewrite the map and reload Postfix.",
        discussion: """
            A released account is not held again the same day unless it escalates (realert_factor times the \
            messages it was held for). Mail already in Postfix's hold queue stays there: release it with \
            `postsuper -H ALL` (or per queue id), or delete it with `postsuper -d`. Exit 64 when a USER is not on \
            hold (nothing is released then), 75 when the map could not be rewritten or Postfix not reloaded (the \
            hold is lifted in the state; the next run retries).
            """
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The accounts to release, as `mvpipe holds` lists them (ASCII case ignored).")
    var users: [String]

    @Option(help: ArgumentHelp("Who released them, recorded in the state (default: $SUDO_USER, $USER or 'admin').", valueName: "name"))
    var by: String?

    @OptionGroup var lock: LockTimeoutOption

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("name at least one USER to release") }
    }

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let actions = config.notifiers.compactMap { $0.plugin as? any ContainmentAction }
        guard !actions.isEmpty else {
            CLI.printError("the config has no postfix-hold notifier, so nothing is ever on hold")
            throw ExitCode(ExitCodes.usage)
        }
        let environment = ProcessInfo.processInfo.environment
        let who = by ?? environment["SUDO_USER"] ?? environment["USER"] ?? "admin"
        var failures: [String] = []
        let released: [Hold] = try CLI.guarded(configFile: common.config) {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: false), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            try store.claim(for: config.stateOwner, state: config.state)
            guard let ledger = store.holdLedger else { return [] }
            let held = try ledger.holds(action: nil, includeReleased: false)
            let keys = users.map { $0.lowercased() }
            let unknown = zip(users, keys).filter { _, key in !held.contains { $0.key == key } }.map(\.0)
            guard unknown.isEmpty else {
                let list = held.map { UntrustedText.display($0.user) }.prefix(20).joined(separator: ", ")
                CLI.printError("not on hold: \(unknown.map { UntrustedText.display($0) }.joined(separator: ", ")); nothing was released. On hold: \(list.isEmpty ? "none" : list) (see `mvpipe holds`)")
                throw ExitCode(ExitCodes.usage)
            }
            let released = try ledger.releaseHolds(keys: keys, action: nil, at: Date(), by: who)
            for action in actions {
                do throws(NotifierError) {
                    _ = try action.synchronize(ledger: ledger)
                } catch {
                    failures.append("\(action): \(error.message)")
                }
            }
            return released
        }
        for hold in released {
            try CLI.printOut("released \(UntrustedText.display(hold.user)) (on hold since alert #\(hold.alertID))")
        }
        if !failures.isEmpty {
            CLI.printError("released in the state, but Postfix may still hold them: \(failures.joined(separator: "; ")); the next `mvpipe run` retries")
            throw ExitCode(ExitCodes.tempFail)
        }
    }
}
