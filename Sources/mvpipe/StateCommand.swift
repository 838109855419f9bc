import ArgumentParser

/// `mvpipe state`: looks after the state file.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Look after the state file: check it, prune old history, export and import it, adopt it for a moved config.",
        discussion: """
            Each subcommand takes the run lock first (waiting up to --lock-timeout seconds), so a run \
            never changes the state meanwhile. A damaged, foreign or newer state file is refused with exit 74; \
            a state that belongs to another config with exit 78 (see `state adopt`).
            """,
        subcommands: [StateCheckCommand.self, StatePruneCommand.self, StateExportCommand.self, StateImportCommand.self,
                      StateAdoptCommand.self]
    )
}
