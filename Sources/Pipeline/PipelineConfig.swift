import Foundation
import Logging

/// The whole pipeline as the config file describes it, with every plugin built and validated.
public struct PipelineConfig: Sendable {
    /// The site's calendar.
    public let calendar: WorkCalendar
    /// Where the state lives (a SQLite file, or a PostgreSQL database several relays share).
    public let state: StateLocation
    /// Re-alert a user the same day once today's count reaches this factor × the count at the last alert.
    public let realertFactor: Double
    /// How many days an undelivered alert keeps being retried.
    public let pendingDays: Int
    /// The name of this relay in alerts.
    public let hostName: String
    /// The sources, in config order.
    public let sources: [Configured<any Source>]
    /// The detectors; a user alerts when any of them fires.
    public let detectors: [Configured<any Detector>]
    /// The notifiers; each keeps its own delivery record.
    public let notifiers: [Configured<any Notifier>]
    /// Per-user settings; the first match wins.
    public let overrides: [Override]
    /// The config file's real path (symbolic links resolved), when it came from a file: with ``hostName`` it names
    /// the pipeline that owns its state (see ``StateOwner``).
    public internal(set) var configFile: String = ""

    /// The top-level keys, in the order the docs list them.
    public static let specs = OptionSpec.list(TopLevel.timezone, TopLevel.state, TopLevel.workdays, TopLevel.holidays,
                                              TopLevel.realertFactor, TopLevel.pendingDays, TopLevel.host,
                                              TopLevel.sources, TopLevel.detectors, TopLevel.notifiers,
                                              TopLevel.overrides, TopLevel.schema)

    /// The largest config file read (a real one is a few kilobytes).
    public static let maximumFileSize = 4 << 20

    /// Reads and validates a config file.
    public static func load(path: String, registry: Registry, environment: [String: String], logger: Logger,
                            consoleStream: PluginContext.ConsoleStream = .standardOutput) throws -> PipelineConfig {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.contents(of: path, limit: maximumFileSize)
        } catch {
            throw ConfigError("$", "cannot read the config file: \(error.reason)")
        }
        let base = (URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path)
        var config = try parse(Data(bytes), registry: registry, baseDirectory: base, environment: environment,
                               logger: logger, consoleStream: consoleStream)
        config.configFile = StateOwner.realPath(path)
        return config
    }

    /// Parses and validates config JSON. Every ``ConfigError`` it throws carries the line and column of its path
    /// in `data` (for a key that is missing, of the object that lacks it).
    public static func parse(_ data: Data, registry: Registry, baseDirectory: String, environment: [String: String],
                             logger: Logger, consoleStream: PluginContext.ConsoleStream = .standardOutput) throws -> PipelineConfig {
        let bytes = Array(data)
        let document: JSONReader.Document
        do {
            document = try JSONReader.read(bytes)
        } catch {
            throw ConfigError(error.path, error.message).located(at: error.offset, in: bytes)
        }
        do {
            return try build(document.value, registry: registry, baseDirectory: baseDirectory, environment: environment,
                             logger: logger, consoleStream: consoleStream)
        } catch let error as ConfigError where error.position == nil {
            guard let offset = document.offset(of: error.path) else { throw error }
            throw error.located(at: offset, in: bytes)
        }
    }

    private static func build(_ json: JSONValue, registry: Registry, baseDirectory: String, environment: [String: String],
                              logger: Logger, consoleStream: PluginContext.ConsoleStream) throws -> PipelineConfig {
        // Options resolve paths and secrets against the folder and environment; the calendar and host come next.
        var context = PluginContext(calendar: WorkCalendar(timeZone: TimeZone(identifier: "UTC")!), baseDirectory: baseDirectory,
                                    environment: environment, logger: logger, hostName: "", consoleStream: consoleStream)
        var reader = try OptionsReader(json, path: "$", specs: specs, context: context)
        _ = try reader.read(TopLevel.schema)
        let zone = try reader.read(TopLevel.timezone)
        let workdays = try reader.read(TopLevel.workdays)
        let holidays = try reader.read(TopLevel.holidays)
        context.calendar = WorkCalendar(timeZone: zone?.timeZone ?? TimeZone.current, workdays: workdays, holidays: holidays,
                                        zoneName: zone?.name)
        let state = try reader.read(TopLevel.state)
        let realert = try reader.read(TopLevel.realertFactor)
        let pendingDays = try reader.read(TopLevel.pendingDays)
        let host = try reader.read(TopLevel.host) ?? currentHostName()
        context.hostName = host
        reader.context = context

        let sources = try reader.read(TopLevel.sources).enumerated().map { i, v in
            try registry.makeSource(v, path: "$.sources[\(i)]", context: context)
        }
        let detectors = try reader.read(TopLevel.detectors).enumerated().map { i, v in
            try registry.makeDetector(v, path: "$.detectors[\(i)]", context: context)
        }
        let notifiers = try reader.read(TopLevel.notifiers).enumerated().map { i, v in
            try registry.makeNotifier(v, path: "$.notifiers[\(i)]", context: context)
        }
        let overrides = try reader.read(TopLevel.overrides).enumerated().map { i, item in
            try Override.read(item, path: "$.overrides[\(i)]", registry: registry, context: context)
        }
        try reader.finish()

        try requireUniqueNames(sources.map { ($0.name, $0.path) }, kind: "source")
        try requireUniqueNames(notifiers.map { ($0.name, $0.path) }, kind: "notifier")
        try requireKnownDetectors(notifiers, detectors: detectors + overrides.flatMap { $0.detectors ?? [] })
        try requireDistinctOwnedFiles(notifiers)

        return PipelineConfig(calendar: context.calendar, state: state, realertFactor: realert,
                              pendingDays: pendingDays, hostName: host, sources: sources, detectors: detectors,
                              notifiers: notifiers, overrides: overrides)
    }

    /// Every detector of the pipeline and of its overrides.
    public var allDetectors: [Configured<any Detector>] {
        detectors + overrides.flatMap { $0.detectors ?? [] }
    }

    /// The most working days of history any detector needs.
    public var historyDays: Int { allDetectors.map(\.plugin.historyDays).max() ?? 0 }

    /// Whether any detector reads sub-day buckets.
    public var needsBuckets: Bool { allDetectors.contains { $0.plugin.needsBuckets } }

    /// The detectors that judge `user`, or `nil` when an override ignores the user.
    public func detectors(for user: String) -> [Configured<any Detector>]? {
        guard let match = overrides.first(where: { $0.matches(user) }) else { return detectors }
        if match.ignore { return nil }
        return match.detectors ?? detectors
    }

    private static func requireUniqueNames(_ names: [(String, String)], kind: String) throws {
        var seen: [String: String] = [:]
        for (name, path) in names {
            if let first = seen[name] {
                throw ConfigError("\(path).name", "another \(kind) at \(first) is also named '\(name)'; give each a distinct \"name\" (it keys its records in state)")
            }
            seen[name] = path
        }
    }

    static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
