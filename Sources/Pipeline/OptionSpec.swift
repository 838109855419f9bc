/// The documentation of one config key: its name, JSON type, default, meaning and limits.
///
/// Specs are not written by hand: every ``ConfigOption`` declaration makes its own, from the same values it reads
/// with (the default shown is the default used, the range shown is the range checked). `mvpipe plugins`, the
/// README's reference, `mvpipe schema` and the unknown-key errors all read specs.
public struct OptionSpec: Sendable {
    /// The JSON type a key takes.
    public indirect enum Kind: Sendable {
        case string
        case integer
        case number
        case boolean
        /// An array of strings; a single string is read as a one-element array.
        case stringList
        /// A JSON object.
        case object
        /// An array of plugin entries of one role (each `{"type": …, …}`).
        case entries(PluginRole)
        /// An array of objects with these keys.
        case objects([OptionSpec])
        /// Anything else: a title for the docs and its JSON Schema (without description and default).
        case custom(title: String, schema: JSONValue)

        /// How the docs name the type ("integer", "array of strings", "array of detectors", …).
        public var title: String {
            switch self {
            case .string: "string"
            case .integer: "integer"
            case .number: "number"
            case .boolean: "boolean"
            case .stringList: "array of strings"
            case .object: "object"
            case .entries(let role): "array of \(role.plural)"
            case .objects: "array of objects"
            case .custom(let title, _): title
            }
        }
    }

    /// What happens when the key is absent.
    public enum Default: Sendable {
        /// The config must set the key.
        case required
        /// This JSON value is used (and shown, and put into the schema).
        case value(JSONValue)
        /// Something that is no JSON value (computed, or "not set"), described in words.
        case described(String)
    }

    /// The JSON key.
    public let name: String
    /// The JSON type.
    public var kind: Kind
    /// What an absent key means.
    public var defaultValue: Default
    /// One sentence on what the key does.
    public var summary: String
    /// The only strings allowed (for a string, or for each item of a list).
    public var choices: [String]?
    /// The smallest number allowed.
    public var minimum: JSONValue?
    /// The largest number allowed.
    public var maximum: JSONValue?
    /// A regular expression each string (or list item) matches.
    public var pattern: String?
    /// The fewest items an array may have.
    public var minItems: Int?

    /// Documents a key; ``ConfigOption`` makes these, plugins declare options.
    public init(_ name: String, _ kind: Kind, default defaultValue: Default, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Whether the config must set this key.
    public var isRequired: Bool {
        if case .required = defaultValue { return true }
        return false
    }

    /// The specs of `options`, in order (an option may document several keys, like a secret's `_env` and `_file`).
    public static func list(_ options: any OptionDeclaration...) -> [OptionSpec] {
        options.flatMap(\.specs)
    }
}

extension OptionSpec.Kind {
    /// "a string", "an integer", … for messages.
    var article: String {
        switch self {
        case .integer: "an integer"
        case .object: "an object"
        case .entries, .objects, .stringList: "an \(title)"
        case .custom(let title, _): title
        default: "a \(title)"
        }
    }
}
