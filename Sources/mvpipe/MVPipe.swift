import ArgumentParser
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// mvpipe: notices within minutes that a mail account sends far more than it normally does.
@main
struct MVPipe: ParsableCommand {
    /// Runs the command. SIGPIPE keeps the disposition mvpipe inherited (see ``StandardStreams``); a stdout whose
    /// reader went away ends the command quietly with exit 141, another stdout write error says so with exit 74.
    static func main() {
        TestKillPoint.arm()
        TestPausePoint.arm()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch OutputError.closed {
            Glibc.exit(ExitCodes.outputClosed)
        } catch OutputError.failed(let reason) {
            CLI.printError("cannot write to standard output: \(reason)")
            Glibc.exit(ExitCodes.ioError)
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "mvpipe",
        abstract: "Alert when a mail account sends far more mail than it normally does.",
        discussion: """
            Exit codes: 0 ok; 64 usage error; 65 a `state import` file is invalid; 66 a source's input is missing or unreadable; \
            74 the state file cannot be used; 75 alerts are queued undelivered or another run holds \
            the lock (try again later); 78 the config is invalid; 141 stdout was closed by its reader \
            (with SIGPIPE ignored; otherwise SIGPIPE ends mvpipe, like any filter).
            """,
        version: "0.1.0 (state schema \(StateStoreFactory.schemaVersion))",
        subcommands: [RunCommand.self, CountsCommand.self, CheckCommand.self, ExplainCommand.self, BacktestCommand.self,
                      StateCommand.self, HoldsCommand.self, ReleaseCommand.self, SilenceCommand.self, SilencesCommand.self,
                      UnsilenceCommand.self, PluginsCommand.self, SchemaCommand.self, DemoCommand.self, TestNotifyCommand.self]
    )
}
