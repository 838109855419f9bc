/// The compile-time list of plugins the config can name. No reflection, no runtime loading:
/// adding a plugin is one type plus one line in its module's list.
public struct Registry: Sendable {
    /// Every source type.
    public let sources: [any Source.Type]
    /// Every detector type.
    public let detectors: [any Detector.Type]
    /// Every notifier type.
    public let notifiers: [any Notifier.Type]

    /// Creates a registry from each module's list.
    public init(sources: [any Source.Type], detectors: [any Detector.Type], notifiers: [any Notifier.Type]) {
        self.sources = sources
        self.detectors = detectors
        self.notifiers = notifiers
    }

    /// Builds a source from its config entry at `path`.
    public func makeSource(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Source> {
        let type = try Registry.typeName(of: value, path: path, kind: "source", valid: sources.map { $0.type })
        let plugin: any Source.Type = sources.first { $0.type == type }!
        return try Registry.erasedSource(plugin, value, path: path, context: context)
    }

    /// Builds a detector from its config entry at `path`.
    public func makeDetector(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Detector> {
        let type = try Registry.typeName(of: value, path: path, kind: "detector", valid: detectors.map { $0.type })
        let plugin: any Detector.Type = detectors.first { $0.type == type }!
        return try Registry.erasedDetector(plugin, value, path: path, context: context)
    }

    /// Builds a notifier from its config entry at `path`.
    public func makeNotifier(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Notifier> {
        let type = try Registry.typeName(of: value, path: path, kind: "notifier", valid: notifiers.map { $0.type })
        let plugin: any Notifier.Type = notifiers.first { $0.type == type }!
        return try Registry.erasedNotifier(plugin, value, path: path, context: context)
    }

    /// Options every plugin entry takes besides its own.
    public static let commonSpecs: [OptionSpec] = [
        OptionSpec("type", .string, default: nil, "Which plugin (see `mvpipe plugins`)."),
        OptionSpec("name", .string, default: "the type", "A stable name for this entry in state and output; needed when two entries share a type."),
    ]

    private static func typeName(of value: JSONValue, path: String, kind: String, valid: [String]) throws -> String {
        guard case .object(let object) = value else {
            throw ConfigError(path, "expected an object with a \"type\", found \(value.kindDescription)")
        }
        let list = valid.sorted().joined(separator: ", ")
        guard let raw = object["type"] else {
            throw ConfigError(path, "missing \"type\"; valid \(kind) types: \(list)")
        }
        guard case .string(let type) = raw else {
            throw ConfigError("\(path).type", "expected a string, found \(raw.kindDescription); valid \(kind) types: \(list)")
        }
        guard valid.contains(type) else {
            var message = "unknown \(kind) type '\(type)'"
            if let guess = valid.min(by: { editDistance($0, type) < editDistance($1, type) }),
               editDistance(guess, type) <= max(2, type.count / 3) {
                message += " (did you mean '\(guess)'?)"
            }
            throw ConfigError("\(path).type", message + "; valid \(kind) types: \(list)")
        }
        return type
    }

    private static func erasedSource<S: Source>(_ plugin: S.Type, _ value: JSONValue, path: String,
                                                context: PluginContext) throws -> Configured<any Source> {
        let (name, built) = try build(plugin, value, path: path, context: context)
        return Configured(name: name, plugin: built, path: path)
    }

    private static func erasedDetector<D: Detector>(_ plugin: D.Type, _ value: JSONValue, path: String,
                                                    context: PluginContext) throws -> Configured<any Detector> {
        let (name, built) = try build(plugin, value, path: path, context: context)
        return Configured(name: name, plugin: built, path: path)
    }

    private static func erasedNotifier<N: Notifier>(_ plugin: N.Type, _ value: JSONValue, path: String,
                                                    context: PluginContext) throws -> Configured<any Notifier> {
        let (name, built) = try build(plugin, value, path: path, context: context)
        return Configured(name: name, plugin: built, path: path)
    }

    private static func build<P: Plugin>(_ plugin: P.Type, _ value: JSONValue, path: String,
                                         context: PluginContext) throws -> (String, P) {
        var reader = try OptionsReader(value, path: path, specs: commonSpecs + P.Options.specs)
        reader.accept("type")
        let name = try reader.string("name") ?? P.type
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ConfigError(reader.path(of: "name"), "expected a non-empty name without control characters")
        }
        let options = try P.Options(reading: &reader, context: context)
        try reader.finish()
        return (name, try P(options: options, context: context))
    }
}

/// A plugin built from one config entry, with the name it is known by in state and output.
public struct Configured<P: Sendable>: Sendable {
    /// The entry's `name` (its type unless set).
    public let name: String
    /// The plugin.
    public let plugin: P
    /// The entry's JSON path, for messages.
    public let path: String

    /// Creates a configured entry.
    public init(name: String, plugin: P, path: String) {
        self.name = name
        self.plugin = plugin
        self.path = path
    }
}
