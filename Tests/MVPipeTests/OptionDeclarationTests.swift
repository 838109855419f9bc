import Foundation
import Logging
@testable import mvpipe
@testable import Pipeline
import Testing

/// Every option of every plugin in the CLI's registry is declared once, and that declaration is what is read:
/// each declared key is read, each read key is declared, and writing a documented default into the config
/// changes nothing.
@Suite struct OptionDeclarationTests {
    /// The smallest valid entry of each plugin (its required options); a plugin missing here fails the test.
    static let minimal: [String: [String: JSONValue]] = [
        "assp-archive": ["path": "archive"],
        "postfix-log": ["paths": ["mail.log"]],
        "postfix-journal": [:],
        "exim-log": ["paths": ["mainlog"]],
        "assp-log": ["paths": ["maillog.txt"]],
        "percent-over-average": [:],
        "hard-cap": [:],
        "z-score": [:],
        "burst": [:],
        "console": [:],
        "mailx": ["to": ["admin@example.org"]],
        "smtp": ["url": "smtp://127.0.0.1:2525", "from": "relay@example.org", "to": ["admin@example.org"]],
        "slack": ["url_env": "MVPIPE_TEST_SLACK_URL"],
        "matrix": ["homeserver": "https://matrix.example.org", "room": "!room:example.org", "token_env": "MVPIPE_TEST_TOKEN"],
        "webhook": ["url": "https://hooks.example.org/mvpipe"],
        "postfix-hold": ["map": "mvpipe_holds"],
    ]

    static let context = PluginContext(
        calendar: WorkCalendar(timeZone: TimeZone(identifier: "UTC")!), baseDirectory: "/srv/mvpipe",
        environment: ["MVPIPE_TEST_SLACK_URL": "https://hooks.slack.com/services/T0/B0/x", "MVPIPE_TEST_TOKEN": "syt_token"],
        logger: Logger(label: "test"), hostName: "mx1.example.org")

    /// What is wrong with the declarations of `plugin`, built from `entry`: keys declared but not read, keys read
    /// but not declared, keys declared twice, and documented defaults that change the plugin when written out.
    static func problems<P: Plugin>(_ plugin: P.Type, entry: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        let specs = Registry.commonSpecs + P.Options.specs
        let names = specs.map(\.name)
        for name in Set(names) where names.filter({ $0 == name }).count > 1 {
            problems.append("\(P.type): '\(name)' is declared twice")
        }
        let entry = entry.merging(["type": .string(P.type)]) { a, _ in a }
        let reader: OptionsReader
        let minimal: P
        do {
            reader = try Registry.readOptions(P.self, .object(entry), path: "$", context: context).reader
        } catch {
            return problems + ["\(P.type): the minimal entry cannot be read: \(error)"]
        }
        for key in reader.undeclared {
            problems.append("\(P.type): reads '\(key)' without declaring it")
        }
        for name in names where !reader.lookedUp.contains(name) {
            problems.append("\(P.type): declares '\(name)' but does not read it")
        }
        guard problems.isEmpty else { return problems }
        do {
            minimal = try Registry.build(P.self, .object(entry), path: "$", context: context).plugin
        } catch {
            return ["\(P.type): the minimal entry does not build: \(error)"]
        }
        // Every documented default written into the entry must build the very same plugin.
        var explicit = entry
        for spec in specs {
            if case .value(let json) = spec.defaultValue, explicit[spec.name] == nil { explicit[spec.name] = json }
        }
        do {
            let built = try Registry.build(P.self, .object(explicit), path: "$", context: context)
            if dumped(built.plugin) != dumped(minimal) {
                problems.append("\(P.type): writing the documented defaults changes the plugin:\n\(dumped(minimal))\nvs\n\(dumped(built.plugin))")
            }
        } catch {
            problems.append("\(P.type): the documented defaults do not build: \(error)")
        }
        return problems
    }

    static func dumped(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    static func problems(_ plugin: any Plugin.Type) -> [String] {
        guard let entry = minimal[plugin.type] else {
            return ["\(plugin.type): no minimal entry in OptionDeclarationTests.minimal; add its required options there"]
        }
        return problems(plugin, entry: entry)
    }

    @Test(arguments: PluginRole.allCases)
    func everyDeclaredOptionIsReadAndEveryReadOneDeclared(role: PluginRole) {
        let plugins = builtinRegistry.plugins(role)
        #expect(!plugins.isEmpty)
        for plugin in plugins {
            let found = Self.problems(plugin)
            #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
        }
    }

    /// A plugin that forgets to list an option it reads, and one that lists an option it never reads.
    struct Forgetful: Detector {
        struct Options: PluginOptions {
            static let listed = ConfigOption("listed", default: 1, in: 0...9, "Listed and read.")
            static let unlisted = ConfigOption("unlisted", default: 2, in: 0...9, "Read but not listed.")
            static let specs = OptionSpec.list(listed)
            init(reading reader: inout OptionsReader, context: PluginContext) throws {
                _ = try reader.read(Self.listed)
                _ = try reader.read(Self.unlisted)
            }
        }
        static let type = "forgetful"
        static let summary = "Test."
        init(options: Options, context: PluginContext) {}
        var historyDays: Int { 0 }
        var description: String { "forgetful" }
        func evaluate(_ input: DetectorInput) -> Verdict { Verdict(detector: Self.type, fired: false, reason: "") }
    }

    struct Lazy: Detector {
        struct Options: PluginOptions {
            static let read = ConfigOption("read", default: 1, in: 0...9, "Read.")
            static let neverRead = ConfigOption("never_read", default: 2, in: 0...9, "Listed but never read.")
            static let specs = OptionSpec.list(read, neverRead)
            let value: Int
            init(reading reader: inout OptionsReader, context: PluginContext) throws {
                value = try reader.read(Self.read)
            }
        }
        static let type = "lazy"
        static let summary = "Test."
        let options: Options
        init(options: Options, context: PluginContext) { self.options = options }
        var historyDays: Int { 0 }
        var description: String { "lazy" }
        func evaluate(_ input: DetectorInput) -> Verdict { Verdict(detector: Self.type, fired: false, reason: "") }
    }

    @Test func theCheckCatchesUndeclaredReadsAndDeclaredKeysNeverRead() {
        let forgetful = Self.problems(Forgetful.self, entry: [:])
        #expect(forgetful.contains("forgetful: reads 'unlisted' without declaring it"), "\(forgetful)")
        let lazy = Self.problems(Lazy.self, entry: [:])
        #expect(lazy == ["lazy: declares 'never_read' but does not read it"], "\(lazy)")
        // The config loader refuses both too: an undeclared read is a bug, a key never read is unknown.
        #expect(throws: ConfigError.self) { try Registry.build(Forgetful.self, ["type": "forgetful"], path: "$", context: Self.context) }
        #expect(throws: ConfigError.self) {
            try Registry.build(Lazy.self, ["type": "lazy", "never_read": 3], path: "$", context: Self.context)
        }
    }

    /// The top-level keys: a config that writes every documented default reads as one that leaves them out, and a
    /// config that sets every key (overrides with every key too) is accepted.
    @Test func topLevelDefaultsAreTheValuesUsed() throws {
        let dir = try TemporaryDirectory()
        let registry = builtinRegistry
        let base: [String: JSONValue] = [
            "timezone": "UTC", "host": "mx1.example.org",
            "sources": [["type": "assp-archive", "path": "archive"]], "notifiers": [["type": "console"]],
        ]
        var explicit = base
        for spec in PipelineConfig.specs {
            if case .value(let json) = spec.defaultValue, explicit[spec.name] == nil { explicit[spec.name] = json }
        }
        explicit["$schema"] = "https://example.org/schema.json"
        explicit["overrides"] = [["users": ["bulk@example.org"], "ignore": false, "detectors": [["type": "hard-cap"]]]]
        func load(_ object: [String: JSONValue]) throws -> PipelineConfig {
            try PipelineConfig.parse(Data(JSONValue.object(object).compactText.utf8), registry: registry,
                                     baseDirectory: dir.path, environment: [:], logger: Logger(label: "test"))
        }
        let implicit = try load(base)
        let written = try load(explicit)
        #expect(written.state == implicit.state)
        #expect(written.state == .sqlite(path: "/var/lib/mvpipe/state.sqlite"))
        #expect(written.realertFactor == implicit.realertFactor)
        #expect(written.pendingDays == implicit.pendingDays)
        #expect(written.calendar.workdays == implicit.calendar.workdays)
        #expect(written.calendar.holidays == implicit.calendar.holidays)
        #expect(written.detectors.map(\.plugin.description) == implicit.detectors.map(\.plugin.description))
        #expect(written.overrides.count == 1 && implicit.overrides.isEmpty)
    }

    /// Every key of the schema comes from a declaration: sources, detectors, notifiers and overrides are arrays.
    @Test func theSchemaDescribesEveryListAsAnArray() throws {
        guard case .object(let schema) = ConfigSchema.make(builtinRegistry),
              case .object(let properties)? = schema["properties"] else {
            Issue.record("the schema has no properties")
            return
        }
        #expect(Set(properties.keys) == Set(PipelineConfig.specs.map(\.name)))
        for key in ["sources", "detectors", "notifiers", "overrides"] {
            guard case .object(let property)? = properties[key] else {
                Issue.record("no \(key) in the schema")
                continue
            }
            #expect(property["type"] == "array", "\(key): \(property)")
        }
        guard case .object(let overrides)? = properties["overrides"], case .object(let item)? = overrides["items"],
              case .object(let keys)? = item["properties"], case .object(let detectors)? = keys["detectors"] else {
            Issue.record("overrides have no detectors")
            return
        }
        #expect(detectors["type"] == "array")
        #expect(detectors["minItems"] == 1)
    }
}
