import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe unsilence`: ends a user's silence (like `amtool silence expire`).
struct UnsilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsilence",
        abstract: "End a user's silence now: the next run alerts again if the user's volume is unusual."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The user, as `mvpipe silences` lists it.")
    var user: String

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let removed: Bool = try CLI.guarded(configFile: common.config) {
            let store: any ManagedStateStore
            do {
                store = try StateStoreFactory.open(config.state, .readWrite(create: false), relay: config.hostName)
            } catch StateError.missing {
                return false
            }
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            try store.claim(for: config.stateOwner, state: config.state)
            return try (store as? any SilenceStore)?.removeSilence(user: user) ?? false
        }
        try CLI.printOut(removed ? "unsilenced \(UntrustedText.display(user)): alerts resume on the next run"
                                 : "\(UntrustedText.display(user)) was not silenced (see `mvpipe silences`)")
    }
}
