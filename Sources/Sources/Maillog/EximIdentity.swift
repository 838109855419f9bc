import Pipeline

/// Whom the exim-log source charges a message to.
public enum EximIdentity: String, Sendable, CaseIterable, OptionChoice {
    /// The SMTP AUTH login (`A=authenticator:login` on the arrival line); mail without one does not count.
    case login
    /// The envelope sender of authenticated mail (the arrival line's sender); bounces (`<>`) do not count.
    case sender
}
