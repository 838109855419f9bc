/// A problem with the pipeline configuration: where it is (a JSON path such as
/// `$.sources[0].path`, and the line and column in the file when known) and what was expected there.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The JSON path of the offending value, `$` for the whole document.
    public let path: String
    /// What is wrong and what to write instead.
    public let message: String
    /// Where in the config file, when the error comes from a file.
    public var position: TextPosition?
    /// The line of the file at ``position``, with a caret under the column (see ``TextPosition/excerpt(at:in:width:)``).
    public var excerpt: String?

    /// Creates a config error at `path`.
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// The error placed at byte `offset` of the config text `bytes`.
    public func located(at offset: Int, in bytes: [UInt8]) -> ConfigError {
        var located = self
        located.position = TextPosition(offset: offset, in: bytes)
        located.excerpt = TextPosition.excerpt(at: offset, in: bytes)
        return located
    }

    /// `PATH (line L, column C)`, or the path alone; a path longer than 100 characters (deep nesting) is shown by
    /// its start and end.
    public var place: String {
        let shown = path.count > 100 ? "\(path.prefix(48))…\(path.suffix(48))" : path
        return position.map { "\(shown) (\($0))" } ?? shown
    }

    public var description: String { "\(place): \(message)" }
}
