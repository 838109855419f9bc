import Foundation
import Logging

/// The whole pipeline as the config file describes it, with every plugin built and validated.
public struct PipelineConfig: Sendable {
    /// The site's calendar.
    public let calendar: WorkCalendar
    /// The state database file.
    public let statePath: String
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

    /// The top-level keys, documented.
    public static let specs: [OptionSpec] = [
        OptionSpec("timezone", .string, default: "the system's", "IANA time zone that decides where days start, e.g. \"Europe/Amsterdam\"."),
        OptionSpec("state", .string, default: "\"/var/lib/mvpipe/state.sqlite\"", "SQLite state file (relative paths: from the config file's folder)."),
        OptionSpec("workdays", .stringList, default: "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]", "Days of the week that are working days."),
        OptionSpec("holidays", .stringList, default: "[]", "Dates (YYYY-MM-DD) that are never working days."),
        OptionSpec("realert_factor", .number, default: "2", "Alert the same user again the same day when the count reaches this factor × the count at the last alert."),
        OptionSpec("pending_days", .integer, default: "7", "Days an undelivered alert is retried before it is dropped with a warning."),
        OptionSpec("host", .string, default: "the system host name", "The relay's name in alerts."),
        OptionSpec("sources", .object, default: nil, "Array of sources (at least one)."),
        OptionSpec("detectors", .object, default: "percent-over-average and hard-cap with their defaults", "Array of detectors; a user alerts when any fires."),
        OptionSpec("notifiers", .object, default: nil, "Array of notifiers (at least one)."),
        OptionSpec("overrides", .object, default: "[]", "Array of per-user settings: {\"users\": [patterns], \"ignore\": true} or {\"users\": [...], \"detectors\": [...]}; first match wins."),
        OptionSpec("$schema", .string, default: "none", "Ignored; lets editors find a JSON Schema."),
    ]

    /// Reads and validates a config file.
    public static func load(path: String, registry: Registry, environment: [String: String], logger: Logger,
                            consoleStream: PluginContext.ConsoleStream = .standardOutput) throws -> PipelineConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError("$", "cannot read config file \(path): \(error.localizedDescription)")
        }
        let base = (URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path)
        var config = try parse(data, registry: registry, baseDirectory: base, environment: environment,
                               logger: logger, consoleStream: consoleStream)
        config.configFile = StateOwner.realPath(path)
        return config
    }

    /// Parses and validates config JSON.
    public static func parse(_ data: Data, registry: Registry, baseDirectory: String, environment: [String: String],
                             logger: Logger, consoleStream: PluginContext.ConsoleStream = .standardOutput) throws -> PipelineConfig {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw ConfigError("$", "not valid JSON: \(describeJSONError(error))")
        }
        var reader = try OptionsReader(json, path: "$", specs: specs)
        _ = try reader.string("$schema")

        let timeZone: TimeZone
        let zoneName = try reader.string("timezone")
        if let name = zoneName {
            guard let tz = TimeZone(identifier: name) else {
                throw ConfigError("$.timezone", "unknown time zone '\(name)'; expected an IANA name such as \"Europe/Amsterdam\" or \"UTC\"")
            }
            timeZone = tz
        } else {
            timeZone = TimeZone.current
        }

        var workdays: Set<Weekday> = [.mon, .tue, .wed, .thu, .fri]
        if let names = try reader.stringList("workdays") {
            workdays = []
            for (i, name) in names.enumerated() {
                guard let w = Weekday(name: name) else {
                    throw ConfigError("$.workdays[\(i)]", "expected one of mon, tue, wed, thu, fri, sat, sun; found '\(name)'")
                }
                workdays.insert(w)
            }
            guard !workdays.isEmpty else { throw ConfigError("$.workdays", "expected at least one working day") }
        }

        var holidays: Set<Day> = []
        for (i, text) in (try reader.stringList("holidays") ?? []).enumerated() {
            guard let d = Day(text) else {
                throw ConfigError("$.holidays[\(i)]", "expected a date YYYY-MM-DD that exists, found '\(text)'")
            }
            holidays.insert(d)
        }

        let calendar = WorkCalendar(timeZone: timeZone, workdays: workdays, holidays: holidays, zoneName: zoneName)
        let stateRaw = try reader.string("state") ?? "/var/lib/mvpipe/state.sqlite"
        guard !stateRaw.isEmpty else { throw ConfigError("$.state", "expected a file path, found an empty string") }
        let realert = try reader.number("realert_factor", default: 2, in: 1...1_000_000)
        let pendingDays = try reader.integer("pending_days", default: 7, in: 1...366)
        let host = try reader.string("host") ?? currentHostName()
        guard !host.isEmpty, host.count <= 253, host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw ConfigError("$.host", "expected a host name without spaces or control characters (it goes into subjects and titles)")
        }

        let context = PluginContext(calendar: calendar, baseDirectory: baseDirectory, environment: environment,
                                    logger: logger, hostName: host, consoleStream: consoleStream)

        let sourceEntries = try entries(&reader, "sources", required: true) ?? []
        let sources = try sourceEntries.enumerated().map { i, v in
            try registry.makeSource(v, path: "$.sources[\(i)]", context: context)
        }
        let detectorEntries = try entries(&reader, "detectors", required: false)
            ?? [.object(["type": .string("percent-over-average")]), .object(["type": .string("hard-cap")])]
        let detectors = try detectorEntries.enumerated().map { i, v in
            try registry.makeDetector(v, path: "$.detectors[\(i)]", context: context)
        }
        let notifierEntries = try entries(&reader, "notifiers", required: true) ?? []
        let notifiers = try notifierEntries.enumerated().map { i, v in
            try registry.makeNotifier(v, path: "$.notifiers[\(i)]", context: context)
        }
        let overrides = try parseOverrides(reader.value("overrides"), registry: registry, context: context)
        try reader.finish()

        try requireUniqueNames(sources.map { ($0.name, $0.path) }, kind: "source")
        try requireUniqueNames(notifiers.map { ($0.name, $0.path) }, kind: "notifier")

        return PipelineConfig(calendar: calendar, statePath: context.resolve(path: stateRaw), realertFactor: realert,
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

    private static func parseOverrides(_ value: JSONValue?, registry: Registry, context: PluginContext) throws -> [Override] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw ConfigError("$.overrides", "expected an array of overrides, found \(value.kindDescription)")
        }
        return try items.enumerated().map { i, item in
            let path = "$.overrides[\(i)]"
            var reader = try OptionsReader(item, path: path, specs: Override.specs)
            guard let users = try reader.stringList("users"), !users.isEmpty, !users.contains(where: \.isEmpty) else {
                throw ConfigError("\(path).users", "required: expected a non-empty array of user names or patterns")
            }
            let ignore = try reader.boolean("ignore", default: false)
            var detectors: [Configured<any Detector>]?
            if let list = reader.value("detectors") {
                guard case .array(let entries) = list, !entries.isEmpty else {
                    throw ConfigError("\(path).detectors", "expected a non-empty array of detectors")
                }
                detectors = try entries.enumerated().map { j, entry in
                    try registry.makeDetector(entry, path: "\(path).detectors[\(j)]", context: context)
                }
            }
            if ignore && detectors != nil {
                throw ConfigError(path, "set either \"ignore\": true or \"detectors\", not both")
            }
            if !ignore && detectors == nil {
                throw ConfigError(path, "expected \"ignore\": true or a \"detectors\" array; an override with neither does nothing")
            }
            try reader.finish()
            return Override(users: users.map(UserPattern.init), ignore: ignore, detectors: detectors, path: path)
        }
    }

    private static func entries(_ reader: inout OptionsReader, _ key: String, required: Bool) throws -> [JSONValue]? {
        guard let value = reader.value(key) else {
            if required { throw ConfigError("$.\(key)", "required: expected an array with at least one entry") }
            return nil
        }
        guard case .array(let items) = value else {
            throw ConfigError("$.\(key)", "expected an array, found \(value.kindDescription)")
        }
        guard !items.isEmpty else {
            throw ConfigError("$.\(key)", "expected at least one entry, found an empty array")
        }
        return items
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

    private static func describeJSONError(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError?,
               let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        return "\(error)"
    }

    private static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
