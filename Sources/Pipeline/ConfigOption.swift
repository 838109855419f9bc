/// Anything that documents config keys: a ``ConfigOption`` (one key, or a secret's `_env` and `_file`).
public protocol OptionDeclaration: Sendable {
    /// The keys it reads, documented.
    var specs: [OptionSpec] { get }
}

/// One config option, declared once: its name, type, default, meaning and validation, and how it is read.
///
/// The declaration is both the documentation (``specs``: `mvpipe plugins`, the README, `mvpipe schema`) and the
/// only way to read the key (``OptionsReader/read(_:)``), so the default shown is the value used:
///
/// ```swift
/// static let limit = ConfigOption("limit", default: 200, in: 0...1_000_000_000,
///                                 "Alert when a user sends more than this many messages in a day.")
/// public static let specs = OptionSpec.list(limit)
/// public init(reading reader: inout OptionsReader, context: PluginContext) throws {
///     limit = try reader.read(Self.limit)
/// }
/// ```
///
/// A plugin lists its options in `specs` (in the order the docs show them) and reads each of them, every time,
/// in `init(reading:context:)`; a test builds every plugin of the registry and fails when a listed option is not
/// read or a read one is not listed.
public struct ConfigOption<Value: Sendable>: OptionDeclaration {
    /// The keys this option reads, documented; the first is the option's own.
    public private(set) var specs: [OptionSpec]
    /// Reads the option: its value, and where it came from (for errors about it).
    let resolve: @Sendable (inout OptionsReader) throws -> (value: Value, site: OptionSite)

    /// An option reading several keys with `resolve` (see ``ConfigOption/secret(_:env:file:inline:)``).
    init(specs: [OptionSpec], resolve: @escaping @Sendable (inout OptionsReader) throws -> (value: Value, site: OptionSite)) {
        precondition(!specs.isEmpty, "an option documents at least one key")
        self.specs = specs
        self.resolve = resolve
    }

    /// An option for the key `spec.name`, read by `read` from its JSON value (`nil` when absent or `null`).
    ///
    /// `read` may throw ``OptionError`` (put at the key's path) or ``ConfigError``.
    public init(_ spec: OptionSpec, read: @escaping @Sendable (_ json: JSONValue?, _ site: OptionSite) throws -> Value) {
        self.init(specs: [spec]) { reader in
            let site = reader.site(of: spec.name)
            let json = reader.lookup(spec.name)
            return (try site.locating { try read(json, site) }, site)
        }
    }

    /// The option's key.
    public var name: String { specs[0].name }

    /// The option's documentation (of its own key).
    public var spec: OptionSpec { specs[0] }

    /// This option, turning its value (the user's or the default) into another: parse, check, resolve.
    /// `transform` may throw ``OptionError`` (put at the path of the key the value came from) or ``ConfigError``.
    public func map<T: Sendable>(_ transform: @escaping @Sendable (Value, OptionSite) throws -> T) -> ConfigOption<T> {
        let resolve = self.resolve
        return ConfigOption<T>(specs: specs) { reader in
            let (value, site) = try resolve(&reader)
            return (try site.locating { try transform(value, site) }, site)
        }
    }

    /// This option with its documentation amended (choices, a pattern, a better type title for the schema).
    public func documented(_ amend: (inout OptionSpec) -> Void) -> ConfigOption {
        var copy = self
        amend(&copy.specs[0])
        return copy
    }
}

extension ConfigOption where Value: OptionValue {
    /// An option with a default, used when the key is absent (and shown in the docs and schema as JSON).
    public init(_ name: String, default value: Value, _ summary: String) {
        self.init(ConfigOption.spec(name, .value(value.optionJSON), summary)) { json, _ in
            guard let json else { return value }
            return try Value(optionValue: json)
        }
    }

    /// An option the config must set.
    public static func required(_ name: String, _ summary: String) -> ConfigOption {
        ConfigOption(spec(name, .required, summary)) { json, _ in
            guard let json else { throw OptionError("required: expected \(Value.optionKind.article)") }
            return try Value(optionValue: json)
        }
    }

    static func spec(_ name: String, _ value: OptionSpec.Default, _ summary: String) -> OptionSpec {
        var spec = OptionSpec(name, Value.optionKind, default: value, summary)
        spec.choices = Value.optionChoices
        return spec
    }
}

extension ConfigOption where Value: OptionValue & Comparable {
    /// A number with a default, checked against `range` (the default too).
    public init(_ name: String, default value: Value, in range: ClosedRange<Value>, _ summary: String) {
        self = ConfigOption(name, default: value, summary).limited(to: range)
    }

    /// A number the config must set, checked against `range`.
    public static func required(_ name: String, in range: ClosedRange<Value>, _ summary: String) -> ConfigOption {
        required(name, summary).limited(to: range)
    }

    private func limited(to range: ClosedRange<Value>) -> ConfigOption {
        map { value, _ in
            guard range.contains(value) else {
                throw OptionError("expected \(Value.optionKind.article) from \(range.lowerBound) to \(range.upperBound), found \(value)")
            }
            return value
        }.documented {
            $0.minimum = range.lowerBound.optionJSON
            $0.maximum = range.upperBound.optionJSON
        }
    }
}

extension ConfigOption {
    /// An option that may be left out: `nil` then, described in the docs by `absent` ("the system CA store",
    /// "no AUTH"), because no JSON value stands for it.
    public static func optional<Wrapped: OptionValue>(_ name: String, absent: String, _ summary: String) -> ConfigOption
    where Value == Wrapped? {
        var spec = OptionSpec(name, Wrapped.optionKind, default: .described(absent), summary)
        spec.choices = Wrapped.optionChoices
        return ConfigOption(spec) { json, _ in
            guard let json else { return nil }
            return try Wrapped(optionValue: json)
        }
    }
}

extension ConfigOption where Value == String {
    /// This string option, refusing an empty string ("must not be empty").
    public func nonEmpty() -> ConfigOption {
        map { text, _ in
            guard !text.isEmpty else { throw OptionError("must not be empty") }
            return text
        }
    }
}

extension ConfigOption where Value == String? {
    /// This optional string option, refusing an empty string ("must not be empty").
    public func nonEmpty() -> ConfigOption {
        map { text, _ in
            guard text != "" else { throw OptionError("must not be empty") }
            return text
        }
    }
}
