import ArgumentParser
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// mvpipe: notices within minutes that a mail account sends far more than it normally does.
@main
struct MVPipe: ParsableCommand {
    /// Ignores SIGPIPE before anything runs: a mail program or peer that goes away early must be a
    /// failed delivery (the alert stays queued), never a silent death of the whole run.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        TestKillPoint.arm()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "mvpipe",
        abstract: "Alert when a mail account sends far more mail than it normally does.",
        discussion: """
            Exit codes: 0 ok; 64 usage error; 65 a `state import` file is invalid; 66 a source's input is missing or unreadable; \
            74 the state file cannot be used; 75 alerts are queued undelivered or another run holds \
            the lock (try again later); 78 the config is invalid.
            """,
        version: "0.1.0 (state schema \(SQLiteStateStore.schemaVersion))",
        subcommands: [RunCommand.self, CountsCommand.self, CheckCommand.self, ExplainCommand.self, BacktestCommand.self,
                      StateCommand.self, PluginsCommand.self, SchemaCommand.self, DemoCommand.self]
    )
}
