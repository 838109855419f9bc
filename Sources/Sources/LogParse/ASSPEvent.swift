/// What one ASSP `maillog.txt` line says, as far as per-user outgoing volume is concerned.
///
/// `Range<Int>` payloads index the parsed line; the authenticated user name is copied.
enum ASSPEvent: Sendable, Hashable {
    /// SASL mechanism named in an AUTH log line.
    enum AuthMethod: Sendable, Hashable {
        case plain
        case login
    }

    /// `info: authentication (PLAIN) realms - foruser:F, user:U[, pass:P]` or
    /// `info: authentication (LOGIN) realms - user:U[, pass:P]`, written when `AUTHLogUser` is on.
    /// The password (`AUTHLogPWD`) is never extracted.
    case authenticated(method: AuthMethod, user: LogBytes, forUser: Range<Int>?)
    /// A `[MessageOK]`-tagged `message ok ...` line: the message passed ASSP and was forwarded.
    /// `from` is the envelope sender inside `<...>`, `to` the first recipient after `to: `.
    case messageOK(from: Range<Int>?, to: Range<Int>?)
    /// A well-formed line of no interest.
    case other
    /// A continuation line: ASSP writes multi-line comments as further lines starting with a TAB.
    case continuation
    /// Not parsable: no `MMM-DD-YY hh:mm:ss` stamp, an unterminated `[`/`<`, or an AUTH line without `user:`.
    case malformed
}
