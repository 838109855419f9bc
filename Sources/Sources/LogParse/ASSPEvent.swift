/// What one ASSP `maillog.txt` line says, as far as per-login outgoing volume is concerned.
///
/// `Range<Int>` payloads index the parsed line; the AUTH user name is copied.
enum ASSPEvent: Sendable, Hashable {
    /// SASL mechanism named in an AUTH log line.
    enum AuthMethod: Sendable, Hashable {
        case plain
        case login
    }

    /// A connection opened (`ConnectionLog`): 2.x `Connected: session:ID IP:PORT > ...`, 1.x
    /// `Connected: IP:PORT -> ...`. `ip` is the client address.
    case connected(session: Range<Int>?, ip: Range<Int>)
    /// A connection closed: 2.x `Disconnected: session:ID IP - processing time ...` (`ip` set), 1.x
    /// `[DONE] IP ... disconnected (N seconds)` (the line's client IP and message ID, if any, name it).
    case disconnected(session: Range<Int>?, ip: Range<Int>?)
    /// `info: authentication - plain is used` / `login is used`: an AUTH command (`ValidateUserLog >= 1`),
    /// logged before the server answered.
    case authAttempt(method: AuthMethod)
    /// `info: authentication (PLAIN) realms - foruser:F, user:U[, pass:P]` or
    /// `info: authentication (LOGIN) realms - user:U[, pass:P]` (`AUTHLogUser`), logged before the server answered,
    /// so failed logins have one too. The password (`AUTHLogPWD`) is never extracted.
    case authUser(method: AuthMethod, user: LogBytes, forUser: Range<Int>?)
    /// The server accepted the AUTH: 2.x `authenticated to SERVER` (`ValidateUserLog >= 2`), 1.x `authenticated`.
    case authSucceeded
    /// The server refused it: `warning: SMTP authentication failed on SERVER` (2.x, `ConnectionLog`),
    /// `warning: SMTP authentication failed` (1.x), `max sender authentication errors ... exceeded`.
    case authFailed
    /// `[SMTP Error] NNN ...`: an error reply passed to the client (`replyLogging`); 535 after an AUTH is a failed login.
    case replyError(code: Int)
    /// `recipient accepted: ADDRESS`: one per accepted RCPT (`ValidateUserLog >= 2` with local-address validation).
    case recipientAccepted
    /// The final line of an accepted message: 2.x `[MessageOK] ... message ok ...`; 1.x `[LocalOK] ... local ...`
    /// (relayed), `[MessageOK] ... message ok`, `[WhitelistedOK] ... whitelisted`, `[NoProcessingOK] ... noprocessing`;
    /// and mail ASSP scored as spam but passed (`[spam found] and [possibly ]passing because ...`: 1.x in the
    /// warning range, spam lovers, test mode), which has no `message ok` line.
    /// `relayed` is what the line says about the direction: true for 1.x `[LocalOK]`, false for 1.x's other final
    /// tags, nil for 2.x (which does not say).
    case messageAccepted(relayed: Bool?)
    /// A well-formed line of no interest.
    case other
    /// A continuation line: ASSP writes multi-line comments as further lines starting with a TAB.
    case continuation
    /// Not parsable: no stamp in the configured `LogDateFormat`, an unterminated `[`/`<`, or an AUTH line without `user:`.
    case malformed
}
