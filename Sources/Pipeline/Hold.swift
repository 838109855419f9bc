import Foundation

/// An account a containment action (``ContainmentAction``, e.g. `postfix-hold`) put on hold: one row of the state's
/// `hold` table. A hold is in force until it is released (``releasedAt`` set); released rows are kept so a released
/// account is not held again the same day unless it escalates.
public struct Hold: Sendable, Equatable, Codable {
    /// The `name` of the action's config entry (several `postfix-hold` entries keep separate holds).
    public var action: String
    /// The key written to the map (the user, case-folded as Postfix looks it up).
    public var key: String
    /// The user as the alert named it (untrusted text).
    public var user: String
    /// When the hold began.
    public var since: Date
    /// The alert that caused it (the latest one, when the account escalated while held).
    public var alertID: Int64
    /// That alert's day.
    public var day: Day
    /// That alert's messages (the count an escalation is measured against after a release).
    public var messages: Int
    /// The relay (host) whose run put it on hold.
    public var relay: String
    /// When it was released, if it was.
    public var releasedAt: Date?
    /// Who released it (the admin's login, as `mvpipe release` saw it).
    public var releasedBy: String?

    /// Creates a hold in force.
    public init(action: String, key: String, user: String, since: Date, alertID: Int64, day: Day, messages: Int,
                relay: String, releasedAt: Date? = nil, releasedBy: String? = nil) {
        self.action = action
        self.key = key
        self.user = user
        self.since = since
        self.alertID = alertID
        self.day = day
        self.messages = messages
        self.relay = relay
        self.releasedAt = releasedAt
        self.releasedBy = releasedBy
    }

    /// Whether the hold is in force.
    public var isActive: Bool { releasedAt == nil }
}
