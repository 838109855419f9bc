import Foundation

/// The JSON Schema (draft 2020-12) of the whole config, made from the same option declarations the config is
/// read with, so editors validate `pipeline.json` exactly as mvpipe reads it. Every key's schema follows from its
/// ``OptionSpec`` alone: its kind, default, choices and limits.
public enum ConfigSchema {
    /// The schema document.
    public static func make(_ registry: Registry) -> JSONValue {
        var schema = object(PipelineConfig.specs, registry: registry)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "mvpipe pipeline config"
        return .object(schema)
    }

    /// An object with exactly the keys `specs`.
    private static func object(_ specs: [OptionSpec], registry: Registry) -> [String: JSONValue] {
        [
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: specs.map { ($0.name, property($0, registry: registry)) })),
            "required": .array(specs.filter(\.isRequired).map { .string($0.name) }),
            "additionalProperties": false,
        ]
    }

    /// The schema of one plugin entry: `type` fixed to the plugin's, the common keys and its own.
    private static func entry(_ plugin: any Plugin.Type, registry: Registry) -> JSONValue {
        var schema = object(Registry.commonSpecs(of: plugin) + plugin.optionSpecs, registry: registry)
        if case .object(var properties) = schema["properties"] {
            properties["type"] = ["const": .string(plugin.type), "description": .string(plugin.summary)]
            schema["properties"] = .object(properties)
        }
        schema["title"] = .string(plugin.type)
        return .object(schema)
    }

    private static func property(_ spec: OptionSpec, registry: Registry) -> JSONValue {
        var schema: [String: JSONValue]
        var scalar: [String: JSONValue] = [:]
        if let choices = spec.choices { scalar["enum"] = .array(choices.map { .string($0) }) }
        if let pattern = spec.pattern { scalar["pattern"] = .string(pattern) }
        switch spec.kind {
        case .string: schema = scalar.merging(["type": "string"]) { a, _ in a }
        case .integer: schema = ["type": "integer"]
        case .number: schema = ["type": "number"]
        case .boolean: schema = ["type": "boolean"]
        case .object: schema = ["type": "object"]
        case .stringList:
            let item = JSONValue.object(scalar.merging(["type": "string"]) { a, _ in a })
            var list: [String: JSONValue] = ["type": "array", "items": item]
            if let minItems = spec.minItems { list["minItems"] = .integer(minItems) }
            schema = ["anyOf": [item, .object(list)]]
        case .entries(let role):
            let entries = registry.plugins(role).map { entry($0, registry: registry) }
            schema = ["type": "array", "items": ["oneOf": .array(entries)]]
        case .objects(let keys):
            schema = ["type": "array", "items": .object(object(keys, registry: registry))]
        case .custom(_, let custom):
            guard case .object(let object) = custom else { return custom }
            schema = object
        }
        if let minimum = spec.minimum { schema["minimum"] = minimum }
        if let maximum = spec.maximum { schema["maximum"] = maximum }
        if let minItems = spec.minItems, schema["type"] == "array" { schema["minItems"] = .integer(minItems) }
        schema["description"] = .string(spec.summary)
        if case .value(let value) = spec.defaultValue { schema["default"] = value }
        return .object(schema)
    }
}
