import ArgumentParser
import Foundation
import Logging
import Pipeline

/// Options every command that reads a config shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The pipeline config (JSON).")
    var config: String = "/etc/mvpipe/pipeline.json"

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    @Flag(help: "Also send log messages to syslog (ident mvpipe, facility mail), at the same --log-level.")
    var syslog = false

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// A stderr logger (and with `--syslog` a syslog one too) at the chosen level.
    func makeLogger() -> Logger {
        CLI.makeLogger(level: Logger.Level(rawValue: logLevel) ?? .warning, syslog: syslog)
    }

    /// Loads the config, turning errors into a message and exit code 78.
    func loadConfig(logger: Logger, consoleStream: PluginContext.ConsoleStream = .standardOutput) throws -> PipelineConfig {
        try CLI.guarded(configFile: config) {
            try PipelineConfig.load(path: config, registry: builtinRegistry,
                                    environment: ProcessInfo.processInfo.environment,
                                    logger: logger, consoleStream: consoleStream)
        }
    }
}
