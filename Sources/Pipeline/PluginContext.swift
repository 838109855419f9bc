import Foundation
import Logging

/// What a plugin may know about its surroundings when it is built and run.
public struct PluginContext: Sendable {
    /// Where the console notifier writes.
    public enum ConsoleStream: Sendable { case standardOutput, standardError }

    /// The site's calendar (time zone, working days, holidays).
    public var calendar: WorkCalendar
    /// The folder of the config file; relative paths in options are resolved against it.
    public var baseDirectory: String
    /// The process environment, for `*_env` options.
    public var environment: [String: String]
    /// The logger plugins write diagnostics to (never secrets, never to stdout).
    public var logger: Logger
    /// This machine's name, shown in alerts.
    public var hostName: String
    /// Where human-readable console output goes (stderr when stdout carries `--json`).
    public var consoleStream: ConsoleStream
    /// The `name` of the config entry the plugin is built from (its type unless set): the name it is known by
    /// in state, logs and messages. Set by the ``Registry`` for each entry; empty outside one.
    public var entryName: String = ""
    /// What notifiers measure their retry budget and wait out backoff with (the real clock but in tests).
    public var retryClock: any RetryClock

    /// Creates a context.
    public init(calendar: WorkCalendar, baseDirectory: String, environment: [String: String],
                logger: Logger, hostName: String, consoleStream: ConsoleStream = .standardOutput,
                retryClock: any RetryClock = SystemRetryClock()) {
        self.calendar = calendar
        self.baseDirectory = baseDirectory
        self.environment = environment
        self.logger = logger
        self.hostName = hostName
        self.consoleStream = consoleStream
        self.retryClock = retryClock
    }

    /// Resolves a path from the config against the config file's folder.
    public func resolve(path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/") {
            let home = environment["HOME"] ?? NSHomeDirectory()
            return home + path.dropFirst()
        }
        return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
    }
}
