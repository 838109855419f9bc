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

    /// The plugins of `role`, in the order `mvpipe plugins` lists them.
    public func plugins(_ role: PluginRole) -> [any Plugin.Type] {
        switch role {
        case .source: sources
        case .detector: detectors
        case .notifier: notifiers
        }
    }

    /// Builds a source from its config entry at `path`.
    public func makeSource(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Source> {
        let plugin = try Registry.plugin(of: value, path: path, role: .source, among: sources) { $0.type }
        return try Registry.erasedSource(plugin, value, path: path, context: context)
    }

    /// Builds a detector from its config entry at `path`.
    public func makeDetector(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Detector> {
        let plugin = try Registry.plugin(of: value, path: path, role: .detector, among: detectors) { $0.type }
        return try Registry.erasedDetector(plugin, value, path: path, context: context)
    }

    /// Builds a notifier from its config entry at `path`.
    public func makeNotifier(_ value: JSONValue, path: String, context: PluginContext) throws -> Configured<any Notifier> {
        let plugin = try Registry.plugin(of: value, path: path, role: .notifier, among: notifiers) { $0.type }
        return try Registry.erasedNotifier(plugin, value, path: path, context: context)
    }

    /// Which plugin an entry names (its `type` was checked before any option is read).
    static let type = ConfigOption<String>.required("type", "Which plugin (see `mvpipe plugins`).")

    /// The entry's name in state, logs and messages; `nil` means the type.
    static let name = ConfigOption<String?>.optional("name", absent: "the type", "A stable name for this entry in state and output; needed when two entries share a type.")
        .map { name, _ in
            if let name, name.isEmpty || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw OptionError("expected a non-empty name without control characters")
            }
            return name
        }

    /// Options every plugin entry takes besides its own.
    public static let commonSpecs = OptionSpec.list(type, name)

    /// Options every entry of `plugin`'s kind takes besides its own: detectors also take `"metric"`.
    public static func commonSpecs(of plugin: any Plugin.Type) -> [OptionSpec] {
        plugin is any Detector.Type ? commonSpecs + DetectorMetric.option.specs : commonSpecs
    }

    /// The plugin of `plugins` the entry at `path` names in its `type`, or a ``ConfigError`` listing the valid types.
    private static func plugin<T>(of value: JSONValue, path: String, role: PluginRole, among plugins: [T],
                                  type: (T) -> String) throws -> T {
        let kind = role.rawValue
        guard case .object(let object) = value else {
            throw ConfigError(path, "expected an object with a \"type\", found \(value.kindDescription)")
        }
        let valid = plugins.map(type)
        let list = valid.sorted().joined(separator: ", ")
        guard let raw = object["type"] else {
            throw ConfigError(path, "missing \"type\"; valid \(kind) types: \(list)")
        }
        guard case .string(let name) = raw else {
            throw ConfigError("\(path).type", "expected a string, found \(raw.kindDescription); valid \(kind) types: \(list)")
        }
        guard let plugin = plugins.first(where: { type($0) == name }) else {
            var message = "unknown \(kind) type '\(name)'"
            if let guess = valid.min(by: { editDistance($0, name) < editDistance($1, name) }),
               editDistance(guess, name) <= max(2, name.count / 3) {
                message += " (did you mean '\(guess)'?)"
            }
            throw ConfigError("\(path).type", message + "; valid \(kind) types: \(list)")
        }
        return plugin
    }

    private static func erasedSource<S: Source>(_ plugin: S.Type, _ value: JSONValue, path: String,
                                                context: PluginContext) throws -> Configured<any Source> {
        let built = try build(plugin, value, path: path, context: context)
        return Configured(name: built.name, plugin: built.plugin, path: path)
    }

    private static func erasedDetector<D: Detector>(_ plugin: D.Type, _ value: JSONValue, path: String,
                                                    context: PluginContext) throws -> Configured<any Detector> {
        var reader = try OptionsReader(value, path: path, specs: commonSpecs(of: plugin) + D.Options.specs, context: context)
        _ = try reader.read(type)
        let name = try reader.read(Registry.name) ?? D.type
        reader.context.entryName = name
        let metric = try reader.read(DetectorMetric.option)
        let options = try D.Options(reading: &reader, context: reader.context)
        try reader.finish()
        let detector = try D(options: options, context: reader.context)
        if metric == .recipients, detector.needsBuckets {
            throw ConfigError("\(path).metric", "\(D.type) judges 5-minute buckets of messages and cannot count recipients; use \"messages\" here and a daily detector (hard-cap, percent-over-average, zscore) with \"metric\": \"recipients\"")
        }
        var configured = Configured<any Detector>(name: name, plugin: detector, path: path)
        configured.metric = metric
        return configured
    }

    private static func erasedNotifier<N: Notifier>(_ plugin: N.Type, _ value: JSONValue, path: String,
                                                    context: PluginContext) throws -> Configured<any Notifier> {
        let built = try build(plugin, value, path: path, context: context)
        return Configured(name: built.name, plugin: built.plugin, path: path)
    }

    /// Builds `plugin` from its entry: reads `type`, `name` and the plugin's options, rejects unknown keys, and
    /// hands the plugin a context with the entry's name.
    static func build<P: Plugin>(_ plugin: P.Type, _ value: JSONValue, path: String, context: PluginContext)
        throws -> (name: String, plugin: P)
    {
        let (name, options, reader) = try readOptions(plugin, value, path: path, context: context)
        try reader.finish()
        return (name, try P(options: options, context: reader.context))
    }

    /// Reads an entry's `type`, `name` and the plugin's options, without checking for unknown keys: the reader
    /// comes back with the keys it looked up.
    static func readOptions<P: Plugin>(_ plugin: P.Type, _ value: JSONValue, path: String, context: PluginContext)
        throws -> (name: String, options: P.Options, reader: OptionsReader)
    {
        var reader = try OptionsReader(value, path: path, specs: commonSpecs + P.Options.specs, context: context)
        _ = try reader.read(type)
        let name = try reader.read(Registry.name) ?? P.type
        reader.context.entryName = name
        let options = try P.Options(reading: &reader, context: reader.context)
        return (name, options, reader)
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
    /// For detectors: what the detector counts (``DetectorMetric``).
    public var metric: DetectorMetric = .messages

    /// Creates a configured entry.
    public init(name: String, plugin: P, path: String) {
        self.name = name
        self.plugin = plugin
        self.path = path
    }
}
