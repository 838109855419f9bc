/// What one delivery attempt came to.
enum AttemptResult: Sendable, Equatable {
    /// The service accepted the alerts.
    case delivered
    /// Trying again may work (connection refused, timeout, 5xx, 429, SMTP 4xx); the server may
    /// have said after how many seconds.
    case transient(String, retryAfter: Double?)
    /// Trying again will not help until someone fixes something (wrong password, revoked webhook).
    case permanent(String)
}
