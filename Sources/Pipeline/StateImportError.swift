/// Why `state import` wrote nothing.
public enum StateImportError: Error, Sendable, CustomStringConvertible {
    /// A line of the export is not valid; nothing was written.
    case invalidLine(line: Int, message: String)
    /// The export file cannot be read.
    case unreadable(String)
    /// The target state already holds data and `--replace` was not given.
    case notEmpty(String)

    public var description: String {
        switch self {
        case .invalidLine(let line, let message): "line \(line): \(message)"
        case .unreadable(let message), .notEmpty(let message): message
        }
    }
}
