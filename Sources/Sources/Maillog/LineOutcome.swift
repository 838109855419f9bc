/// What a line handler made of one log line.
enum LineOutcome: Sendable {
    /// The line mattered (a message, its recipients, its removal).
    case used
    /// A well-formed line of no interest here.
    case ignored
    /// Not a line of the expected format (garbage, cut short, NUL bytes): skipped and counted.
    case unparsable
    /// A line of interest whose user name or address cannot be used (invalid UTF-8, control bytes,
    /// too long, a date that does not exist): skipped and counted.
    case unusable
}
