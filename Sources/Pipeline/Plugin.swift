/// What every plugin (source, detector, notifier) has: a stable `type` name that the
/// config uses to pick it, documented options, and a way to be built from them.
public protocol Plugin: Sendable, CustomStringConvertible {
    /// The plugin's typed options, with defaults and validation.
    associatedtype Options: PluginOptions

    /// The stable name used as `"type"` in the config, for example `"hard-cap"`.
    static var type: String { get }
    /// One line on what the plugin does, for `mvpipe plugins` and the README.
    static var summary: String { get }

    /// Builds the plugin from validated options; `context.entryName` is the entry's `name`.
    init(options: Options, context: PluginContext) throws
}

/// A plugin's options: each one an ``ConfigOption`` declaration that documents and reads it.
///
/// ```swift
/// public struct Options: PluginOptions {
///     public var limit: Int
///     static let limit = ConfigOption("limit", default: 200, in: 0...1_000_000_000, "Alert above this many messages a day.")
///     public static let specs = OptionSpec.list(limit)
///     public init(reading reader: inout OptionsReader, context: PluginContext) throws {
///         limit = try reader.read(Self.limit)
///     }
/// }
/// ```
public protocol PluginOptions: Sendable {
    /// Every option the plugin reads, in the order the docs list them (``OptionSpec/list(_:)``).
    static var specs: [OptionSpec] { get }
    /// Reads every declared option with ``OptionsReader/read(_:)`` (each of them, every time: the registry test
    /// checks), then checks what involves several options; throw ``ConfigError`` with the option's path.
    init(reading reader: inout OptionsReader, context: PluginContext) throws
}

extension Plugin {
    /// The plugin's own options (without the common `type` and `name`), reachable through `any Plugin.Type`.
    public static var optionSpecs: [OptionSpec] { Options.specs }
}
