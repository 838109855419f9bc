import Foundation

/// The JSON Schema (draft 2020-12) of the whole config, made from the same option lists as the
/// config reader, so editors validate `pipeline.json` exactly as mvpipe reads it.
public enum ConfigSchema {
    /// The schema document.
    public static func make(_ registry: Registry) -> JSONValue {
        let detectorItems = JSONValue.object(["oneOf": .array(registry.detectors.map { entry($0.type, $0.summary, $0.optionSpecs) })])
        var properties: [String: JSONValue] = [:]
        for spec in PipelineConfig.specs {
            switch spec.name {
            case "sources":
                properties[spec.name] = list(registry.sources.map { entry($0.type, $0.summary, $0.optionSpecs) }, spec.summary)
            case "detectors":
                properties[spec.name] = .object(["type": "array", "minItems": 1, "items": detectorItems, "description": .string(spec.summary)])
            case "notifiers":
                properties[spec.name] = list(registry.notifiers.map { entry($0.type, $0.summary, $0.optionSpecs) }, spec.summary)
            case "overrides":
                var override = Self.propertyMap(Override.specs)
                override["detectors"] = .object(["type": "array", "minItems": 1, "items": detectorItems,
                                                 "description": .string(Override.specs[2].summary)])
                properties[spec.name] = .object([
                    "type": "array", "description": .string(spec.summary),
                    "items": .object(["type": "object", "properties": .object(override), "required": ["users"],
                                      "additionalProperties": false]),
                ])
            case "workdays":
                properties[spec.name] = .object([
                    "type": "array", "description": .string(spec.summary), "minItems": 1,
                    "items": .object(["enum": .array(Weekday.allCases.map { .string($0.rawValue) })]),
                ])
            case "holidays":
                properties[spec.name] = .object([
                    "type": "array", "description": .string(spec.summary),
                    "items": .object(["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]),
                ])
            default:
                properties[spec.name] = property(spec)
            }
        }
        return .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "mvpipe pipeline config",
            "type": "object",
            "properties": .object(properties),
            "required": .array(PipelineConfig.specs.filter(\.isRequired).map { .string($0.name) }),
            "additionalProperties": false,
        ])
    }

    private static func list(_ entries: [JSONValue], _ summary: String) -> JSONValue {
        .object(["type": "array", "minItems": 1, "description": .string(summary), "items": .object(["oneOf": .array(entries)])])
    }

    private static func entry(_ type: String, _ summary: String, _ specs: [OptionSpec]) -> JSONValue {
        var props = propertyMap(Registry.commonSpecs.filter { $0.name != "type" } + specs)
        props["type"] = .object(["const": .string(type), "description": .string(summary)])
        return .object([
            "type": "object",
            "title": .string(type),
            "properties": .object(props),
            "required": .array((["type"] + specs.filter(\.isRequired).map(\.name)).map { .string($0) }),
            "additionalProperties": false,
        ])
    }

    private static func propertyMap(_ specs: [OptionSpec]) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: specs.map { ($0.name, property($0)) })
    }

    private static func property(_ spec: OptionSpec) -> JSONValue {
        var schema: [String: JSONValue]
        switch spec.kind {
        case .string: schema = ["type": "string"]
        case .integer: schema = ["type": "integer"]
        case .number: schema = ["type": "number"]
        case .boolean: schema = ["type": "boolean"]
        case .stringList:
            schema = ["anyOf": [.object(["type": "string"]), .object(["type": "array", "items": .object(["type": "string"])])]]
        case .object: schema = ["type": "object"]
        }
        schema["description"] = .string(spec.summary)
        if let text = spec.defaultValue, let value = try? JSONValue.parse(Data(text.utf8)) {
            schema["default"] = value
        }
        return .object(schema)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
