/// What every plugin (source, detector, notifier) has: a stable `type` name that the
/// config uses to pick it, documented options, and a way to be built from them.
public protocol Plugin: Sendable, CustomStringConvertible {
    /// The plugin's typed options, with defaults and validation.
    associatedtype Options: PluginOptions

    /// The stable name used as `"type"` in the config, for example `"hard-cap"`.
    static var type: String { get }
    /// One line on what the plugin does, for `mvpipe plugins` and the README.
    static var summary: String { get }

    /// Builds the plugin from validated options.
    init(options: Options, context: PluginContext) throws
}

/// A plugin's options: documented by `specs`, read (and validated) from the config.
public protocol PluginOptions: Sendable {
    /// Every option the plugin reads, with its type, default and meaning.
    static var specs: [OptionSpec] { get }
    /// Reads and validates the options; throw ``ConfigError`` with the option's path on bad values.
    init(reading reader: inout OptionsReader, context: PluginContext) throws
}

extension Plugin {
    /// The plugin's own options (without the common `type` and `name`), reachable through `any Plugin.Type`.
    public static var optionSpecs: [OptionSpec] { Options.specs }
}
