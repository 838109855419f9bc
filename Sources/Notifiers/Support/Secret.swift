import Pipeline

/// A password, token or secret URL: its value is reachable only through ``reveal``, and it
/// prints, dumps and interpolates as `[redacted]`, so it cannot leak through a log line,
/// an error or `description` by accident.
struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret value, for the one place that must send it.
    let reveal: String
    /// Where it came from (a variable or file name), safe to show.
    let origin: OptionsReader.SecretOrigin

    /// Wraps a secret value.
    init(_ value: String, origin: OptionsReader.SecretOrigin) {
        self.reveal = value
        self.origin = origin
    }

    var description: String { "[redacted]" }
    var debugDescription: String { "[redacted]" }
    var customMirror: Mirror { Mirror(self, children: ["origin": origin.description]) }
}
