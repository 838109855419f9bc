/// A problem with the pipeline configuration: where it is (a JSON path such as
/// `$.sources[0].path`) and what was expected there.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The JSON path of the offending value, `$` for the whole document.
    public let path: String
    /// What is wrong and what to write instead.
    public let message: String

    /// Creates a config error at `path`.
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
