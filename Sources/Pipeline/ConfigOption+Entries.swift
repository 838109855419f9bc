/// Arrays of objects: plugin entries (`sources`, `detectors`, `notifiers`) and `overrides`. The option reads the
/// array; each item is read by its own ``OptionsReader`` (through the ``Registry`` for plugin entries).
extension ConfigOption where Value == [JSONValue] {
    /// A required array of at least one plugin entry of `role`.
    public static func entries(_ name: String, of role: PluginRole, _ summary: String) -> ConfigOption {
        ConfigOption(entriesSpec(name, .entries(role), .required, summary)) { json, _ in
            guard let json else { throw OptionError("required: expected an array with at least one entry") }
            return try nonEmptyArray(json)
        }
    }

    /// An array of at least one plugin entry of `role`, `defaultEntries` when absent.
    public static func entries(_ name: String, of role: PluginRole, default defaultEntries: [JSONValue],
                               _ summary: String) -> ConfigOption {
        ConfigOption(entriesSpec(name, .entries(role), .value(.array(defaultEntries)), summary)) { json, _ in
            guard let json else { return defaultEntries }
            return try nonEmptyArray(json)
        }
    }

    /// An array of objects with the keys `keys` (read by the caller), `defaultItems` when absent.
    public static func objects(_ name: String, keys: [OptionSpec], default defaultItems: [JSONValue],
                               _ summary: String) -> ConfigOption {
        ConfigOption(entriesSpec(name, .objects(keys), .value(.array(defaultItems)), summary)) { json, _ in
            guard let json else { return defaultItems }
            guard case .array(let items) = json else { throw OptionError.type("an array of objects", json) }
            return items
        }
    }

    static func entriesSpec(_ name: String, _ kind: OptionSpec.Kind, _ value: OptionSpec.Default, _ summary: String) -> OptionSpec {
        var spec = OptionSpec(name, kind, default: value, summary)
        if case .entries = kind { spec.minItems = 1 }
        return spec
    }

    static func nonEmptyArray(_ json: JSONValue) throws(OptionError) -> [JSONValue] {
        guard case .array(let items) = json else { throw .type("an array", json) }
        guard !items.isEmpty else { throw OptionError("expected at least one entry, found an empty array") }
        return items
    }
}

extension ConfigOption where Value == [JSONValue]? {
    /// An array of at least one plugin entry of `role`, or `nil` when absent (`absent` says what that means).
    public static func entries(_ name: String, of role: PluginRole, absent: String, _ summary: String) -> ConfigOption {
        ConfigOption(ConfigOption<[JSONValue]>.entriesSpec(name, .entries(role), .described(absent), summary)) { json, _ in
            guard let json else { return nil }
            return try ConfigOption<[JSONValue]>.nonEmptyArray(json)
        }
    }
}
