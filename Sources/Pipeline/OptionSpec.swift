/// The documentation of one plugin option: its name, JSON type, default and meaning.
///
/// Every plugin lists its options; the list drives unknown-key errors, `mvpipe plugins`
/// and the README's reference, so the three never disagree.
public struct OptionSpec: Sendable {
    /// The JSON type an option takes.
    public enum Kind: String, Sendable {
        case string
        case integer
        case number
        case boolean
        case stringList = "array of strings"
        case object
    }

    /// The JSON key.
    public let name: String
    /// The JSON type.
    public let kind: Kind
    /// The default as it would be written in JSON, or `nil` when the option is required.
    public let defaultValue: String?
    /// One sentence on what the option does.
    public let summary: String

    /// Documents an option; pass `defaultValue: nil` for a required one.
    public init(_ name: String, _ kind: Kind, default defaultValue: String?, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Whether the config must set this option.
    public var isRequired: Bool { defaultValue == nil }
}
