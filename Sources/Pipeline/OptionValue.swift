/// A Swift type an ``ConfigOption`` can read from JSON and write back for the docs: `Int`, `Double`, `Bool`,
/// `String`, arrays of strings or of ``OptionChoice`` values, `[String: JSONValue]`, and any ``OptionChoice``.
public protocol OptionValue: Sendable {
    /// The JSON type documented for it.
    static var optionKind: OptionSpec.Kind { get }
    /// The only strings allowed, if it is a choice (or a list of choices).
    static var optionChoices: [String]? { get }
    /// Reads a JSON value; throw ``OptionError`` (no path: the reader adds it).
    init(optionValue json: JSONValue) throws(OptionError)
    /// The value as JSON, for the docs and the schema.
    var optionJSON: JSONValue { get }
}

extension OptionValue {
    public static var optionChoices: [String]? { nil }
}

extension Int: OptionValue {
    public static var optionKind: OptionSpec.Kind { .integer }
    public init(optionValue json: JSONValue) throws(OptionError) {
        switch json {
        case .integer(let i): self = i
        case .number(let d) where d == d.rounded() && abs(d) < 1e15: self = Int(d)
        default: throw .type("an integer", json)
        }
    }
    public var optionJSON: JSONValue { .integer(self) }
}

extension Double: OptionValue {
    public static var optionKind: OptionSpec.Kind { .number }
    public init(optionValue json: JSONValue) throws(OptionError) {
        switch json {
        case .integer(let i): self = Double(i)
        case .number(let d): self = d
        default: throw .type("a number", json)
        }
    }
    public var optionJSON: JSONValue {
        self == rounded() && abs(self) < 1e15 ? .integer(Int(self)) : .number(self)
    }
}

extension Bool: OptionValue {
    public static var optionKind: OptionSpec.Kind { .boolean }
    public init(optionValue json: JSONValue) throws(OptionError) {
        guard case .bool(let b) = json else { throw .type("true or false", json) }
        self = b
    }
    public var optionJSON: JSONValue { .bool(self) }
}

extension Dictionary: OptionValue where Key == String, Value == JSONValue {
    public static var optionKind: OptionSpec.Kind { .object }
    public init(optionValue json: JSONValue) throws(OptionError) {
        guard case .object(let object) = json else { throw .type("an object", json) }
        self = object
    }
    public var optionJSON: JSONValue { .object(self) }
}

extension String: OptionItem, OptionValue {
    public static var itemChoices: [String]? { nil }
    public init(optionText text: String) { self = text }
    public var optionText: String { self }

    public static var optionKind: OptionSpec.Kind { .string }
    public init(optionValue json: JSONValue) throws(OptionError) {
        guard case .string(let s) = json else { throw .type("a string", json) }
        self = s
    }
    public var optionJSON: JSONValue { .string(self) }
}

extension Array: OptionValue where Element: OptionItem {
    public static var optionKind: OptionSpec.Kind { .stringList }
    public static var optionChoices: [String]? { Element.itemChoices }
    /// A single string is a one-element list.
    public init(optionValue json: JSONValue) throws(OptionError) {
        switch json {
        case .string(let s): self = [try Element(optionText: s)]
        case .array(let items):
            var list: [Element] = []
            for (index, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw OptionError("expected a string, found \(item.kindDescription)", at: "[\(index)]")
                }
                do {
                    list.append(try Element(optionText: s))
                } catch {
                    throw OptionError(error.message, at: "[\(index)]")
                }
            }
            self = list
        default: throw .type("an array of strings", json)
        }
    }
    public var optionJSON: JSONValue { .array(map { .string($0.optionText) }) }
}
