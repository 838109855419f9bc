/// What one delivery attempt came to.
enum AttemptResult: Sendable, Equatable {
    /// The service accepted the alerts.
    case delivered
    /// Trying again may work (connection refused, timeout, 5xx, 429, SMTP 4xx); the server may
    /// have said after how many seconds.
    case transient(FailureReason, retryAfter: Double?)
    /// Trying again will not help until someone fixes something (wrong password, revoked webhook).
    case permanent(FailureReason)
}

/// Why an attempt failed: mvpipe's own words, and what the other side said, kept apart so that the other side's
/// text is only ever shown through a ``Redactor`` (``DeliveryRetrier`` renders every reason).
struct FailureReason: Sendable, Equatable {
    /// What happened, in mvpipe's words ("Slack webhook https://hooks.slack.com/… answered HTTP 404").
    var summary: String
    /// What the server, libcurl or the mail program said, as received (it may echo a secret, and may be HTML).
    var quoted: String?
    /// What to do about it ("create a new incoming webhook and update $SLACK_URL").
    var advice: String?
    /// How much of ``quoted`` is shown, in characters.
    var limit = 200

    /// Creates a reason.
    init(_ summary: String, quoting quoted: String? = nil, limit: Int = 200, advice: String? = nil) {
        self.summary = summary
        self.quoted = quoted
        self.advice = advice
        self.limit = limit
    }

    /// The reason as one line: the summary, the quote (plain text, secrets removed, cut short) and the advice.
    func rendered(by redactor: Redactor) -> String {
        var text = summary
        if let quoted {
            let shown = redactor.quote(quoted, limit: limit)
            if !shown.isEmpty { text += ": " + shown }
        }
        if let advice { text += "; " + advice }
        return text
    }
}
