import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe state adopt`: makes this config the owner of its state (after a move or rename).
struct StateAdoptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Make this config the owner of its state file (after moving or renaming the config or the relay).",
        discussion: """
            A state file belongs to one config (its real path) and relay (its "host"): a second config on \
            the same file would sum the first one's sources, so runs of another config are refused (exit 78). \
            When this config replaces the owner (the config file moved or was renamed, the relay was renamed, \
            the state was copied to a new machine), adopt hands the state to it, history and alerts included. \
            Do not adopt a state another pipeline still runs on: give each config its own "state".
            """
    )

    @OptionGroup var common: CommonOptions

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let owner = config.stateOwner
        let previous = try CLI.guarded(configFile: common.config) {
            let store = try StateStoreFactory.open(config.state, .readWrite(create: false), relay: config.hostName)
            let lock = try store.acquireRunLock(waiting: self.lock.seconds)
            defer { lock.release() }
            let previous = try store.owner()
            guard try store.recordOwner(owner, ifCurrent: previous) else {
                throw StateError.locked("the owner of \(config.state) changed meanwhile; try again")
            }
            return previous
        }
        switch previous {
        case owner:
            try CLI.printOut("\(config.state) already belongs to \(owner)")
        case let previous?:
            try CLI.printOut("\(config.state) now belongs to \(owner); it belonged to \(previous)")
        case nil:
            try CLI.printOut("\(config.state) now belongs to \(owner) (no owner was recorded)")
        }
    }
}
