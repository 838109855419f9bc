/// What a string option, or each item of a list option, can be: a `String` or an ``OptionChoice``.
public protocol OptionItem: Sendable {
    /// The only strings allowed, if any.
    static var itemChoices: [String]? { get }
    /// Reads one string.
    init(optionText text: String) throws(OptionError)
    /// The string written in the config.
    var optionText: String { get }
}

/// A string option with a fixed set of values: an enum with `String` raw values, listed in the docs and the
/// schema, rejected with the list when anything else is written.
///
/// ```swift
/// public enum Method: String, OptionChoice { case mean, median }
/// static let method = ConfigOption("method", default: Method.mean, "\"mean\" or \"median\".")
/// ```
public protocol OptionChoice: OptionValue, OptionItem, RawRepresentable, CaseIterable where RawValue == String {}

extension OptionChoice {
    public static var optionKind: OptionSpec.Kind { .string }
    public static var optionChoices: [String]? { itemChoices }
    public static var itemChoices: [String]? { allCases.map(\.rawValue) }

    public init(optionValue json: JSONValue) throws(OptionError) {
        guard case .string(let s) = json else { throw .type("a string", json) }
        try self.init(optionText: s)
    }

    public init(optionText text: String) throws(OptionError) {
        guard let value = Self(rawValue: text) else {
            let names = Self.allCases.map { "\"\($0.rawValue)\"" }
            let list = names.count == 2 ? "\(names[0]) or \(names[1])" : "one of \(names.joined(separator: ", "))"
            throw OptionError("expected \(list); found '\(UntrustedText.display(text))'")
        }
        self = value
    }

    public var optionJSON: JSONValue { .string(rawValue) }
    public var optionText: String { rawValue }
}
