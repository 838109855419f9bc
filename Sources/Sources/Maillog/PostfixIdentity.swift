import Pipeline

/// Whom the postfix-log source charges a message to.
public enum PostfixIdentity: String, Sendable, CaseIterable, OptionChoice {
    /// The SASL login on the smtpd `client=` line; mail without a login (inbound MX, pickup) does not count.
    case saslUsername = "sasl_username"
    /// The envelope sender on the first qmgr `from=<...>` line; `from=<>` (bounces) does not count.
    /// Every message with an smtpd `client=` or pickup `uid=` line counts, inbound mail included.
    case sender
    /// The client IP on the smtpd `client=` line; every message received by smtpd counts, inbound mail included.
    case clientIP = "client_ip"
}
