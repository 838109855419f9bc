/// Why a log file (or its gzip stream) could not be read to its end.
struct LogReadError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for a note to the admin.
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
