import Foundation

/// One user found sending unusual volume on one day, with every number that explains why.
public struct Alert: Sendable, Equatable, Codable {
    /// The state store's id (stable across retries; notifiers derive idempotency keys from it).
    public var id: Int64
    /// The user (sender address or login), untrusted text: escape it for every output.
    public var user: String
    /// The day the volume was counted.
    public var day: Day
    /// Messages on `day` when the alert was raised.
    public var messages: Int
    /// Recipients on `day`, where the sources know them.
    public var recipients: Int?
    /// The baseline average per working day.
    public var average: Double
    /// The effective limit: the smallest limit of the detectors (the user alerts above it).
    public var allowed: Int
    /// Every detector's verdict, fired or not.
    public var verdicts: [Verdict]
    /// The user's counts on the last working days before `day`, most recent first.
    public var history: [DayCount]
    /// The user's counts on the last 14 calendar days up to and including `day`, oldest first (for the sparkline).
    public var recent: [DayCount]
    /// When the alert was raised or last updated.
    public var raisedAt: Date
    /// 1 for the day's first alert of this user, 2 and up for escalations.
    public var sequence: Int
    /// Which relays the mail went through, with their messages, most first; nil unless several relays share the
    /// state and more than one carried this user's mail.
    public var relays: [RelayShare]?
    /// What containment actions did about the alert, per action entry name (see ``ContainmentAction``): one line
    /// each, which every notifier shows; nil when no action handled it.
    public var containment: [String: String]?
    /// The client IPs the login was used from on `day` (log sources), most messages first, each marked new when not
    /// seen with this login in the 30 days before; nil when no source saw any.
    public var clientIPs: [ClientIPEvidence]?

    /// Creates an alert.
    public init(id: Int64 = 0, user: String, day: Day, messages: Int, recipients: Int? = nil, average: Double,
                allowed: Int, verdicts: [Verdict], history: [DayCount], recent: [DayCount] = [], raisedAt: Date,
                sequence: Int = 1) {
        self.id = id
        self.user = user
        self.day = day
        self.messages = messages
        self.recipients = recipients
        self.average = average
        self.allowed = allowed
        self.verdicts = verdicts
        self.history = history
        self.recent = recent
        self.raisedAt = raisedAt
        self.sequence = sequence
    }

    /// The detectors that fired.
    public var firedDetectors: [String] { verdicts.filter(\.fired).map(\.detector) }

    /// How far over its limit the alert is: the largest ratio of counted to allowed among the fired detectors
    /// (messages or recipients, as each counts); alerts are listed most severe first.
    public var severity: Double {
        var worst = 0.0
        for verdict in verdicts where verdict.fired {
            let value = verdict.metric == .recipients ? (recipients ?? 0) : messages
            let limit = verdict.allowed ?? allowed
            worst = max(worst, Double(value) / Double(max(limit, 1)))
        }
        return worst > 0 ? worst : Double(messages) / Double(max(allowed, 1))
    }

    /// The last 14 days as a one-line bar chart (`▁▂▃▅▇`), oldest first, today last.
    public var sparkline: String { Sparkline.render(recent.map(\.messages)) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        user = try c.decode(String.self, forKey: .user)
        day = try c.decode(Day.self, forKey: .day)
        messages = try c.decode(Int.self, forKey: .messages)
        recipients = try c.decodeIfPresent(Int.self, forKey: .recipients)
        average = try c.decode(Double.self, forKey: .average)
        allowed = try c.decode(Int.self, forKey: .allowed)
        verdicts = try c.decode([Verdict].self, forKey: .verdicts)
        history = try c.decode([DayCount].self, forKey: .history)
        recent = try c.decodeIfPresent([DayCount].self, forKey: .recent) ?? []
        raisedAt = try c.decode(Date.self, forKey: .raisedAt)
        sequence = try c.decode(Int.self, forKey: .sequence)
        relays = try c.decodeIfPresent([RelayShare].self, forKey: .relays)
        containment = try c.decodeIfPresent([String: String].self, forKey: .containment)
        clientIPs = try c.decodeIfPresent([ClientIPEvidence].self, forKey: .clientIPs)
    }
}

/// The alerts one notifier delivers in one go.
public struct AlertBatch: Sendable {
    /// The relay's host name.
    public var host: String
    /// The alerts, most severe first (``Alert/severity``), then by day and user.
    public var alerts: [Alert]
    /// The site's calendar (for times in the message).
    public var calendar: WorkCalendar

    /// Creates a batch.
    public init(host: String, alerts: [Alert], calendar: WorkCalendar) {
        self.host = host
        self.alerts = alerts.sorted { a, b in
            let (sa, sb) = (a.severity, b.severity)
            if sa != sb { return sa > sb }
            return (a.day, a.user) < (b.day, b.user)
        }
        self.calendar = calendar
    }
}
