/// A password, token or secret URL: its value is reachable only through ``reveal``, and it
/// prints, dumps and interpolates as `[redacted]`, so it cannot leak through a log line,
/// an error or `description` by accident.
///
/// Read from the config with ``ConfigOption/secret(_:env:file:inline:)``: the config names an environment variable
/// or a file, never the value.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Where a secret came from, for `description` and messages (never the value itself).
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// The environment variable of that name.
        case environment(String)
        /// The file at that (resolved) path.
        case file(String)
        /// Written inline in the config (only for options that are not secret).
        case inline

        public var description: String {
            switch self {
            case .environment(let name): "$\(name)"
            case .file(let path): "file \(path)"
            case .inline: "the config"
            }
        }

        /// The config key a secret option `key` of this origin is set with: `key_env`, `key_file` or `key`.
        public func key(for key: String) -> String {
            switch self {
            case .environment: key + "_env"
            case .file: key + "_file"
            case .inline: key
            }
        }
    }

    /// The secret value, for the one place that must send it.
    public let reveal: String
    /// Where it came from (a variable or file name), safe to show.
    public let origin: Origin

    /// Wraps a secret value.
    public init(_ value: String, origin: Origin) {
        self.reveal = value
        self.origin = origin
    }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: ["origin": origin.description]) }
}
