/// Why a value cannot be used, without the JSON path: the ``OptionsReader`` puts it at the option's path
/// (plus ``suffix``, such as `[2]` for a list item).
public struct OptionError: Error, Sendable {
    /// What is wrong and what to do.
    public let message: String
    /// A path below the option's, like `[2]` or `.X-Token`; empty for the option itself.
    public let suffix: String

    /// An error at the option's own path, or below it at `suffix`.
    public init(_ message: String, at suffix: String = "") {
        self.message = message
        self.suffix = suffix
    }

    static func type(_ expected: String, _ found: JSONValue) -> OptionError {
        OptionError("expected \(expected), found \(found.kindDescription)")
    }
}
