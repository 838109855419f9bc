import Foundation

/// Silences, like Alertmanager's: a silenced user is still counted and judged (and shown so by `explain`), but
/// raises no alert until the silence ends. They live in the state, so every relay of a shared state honours them.
public protocol SilenceStore: Sendable {
    /// Adds a silence, or replaces `silence.user`'s.
    func addSilence(_ silence: Silence) throws
    /// Ends `user`'s silence; false when there was none.
    func removeSilence(user: String) throws -> Bool
    /// Every silence stored (ended ones too, until replaced or removed), by user.
    func silences() throws -> [Silence]
}

/// One user's silence.
public struct Silence: Sendable, Equatable, Codable {
    /// The user exactly as counted (see `mvpipe counts`).
    public var user: String
    /// The last day silenced (included): alerts come back the day after.
    public var until: Day
    /// Why (free text, shown by `silences` and `explain`).
    public var reason: String
    /// When it was set.
    public var createdAt: Date

    /// Creates a silence.
    public init(user: String, until: Day, reason: String, createdAt: Date) {
        self.user = user
        self.until = until
        self.reason = reason
        self.createdAt = createdAt
    }

    /// Whether it holds on `day`.
    public func covers(_ day: Day) -> Bool { day <= until }

    /// The silences of `store` in force on `day`, by user (none when the store keeps no silences).
    public static func active(on day: Day, in store: any StateStore) throws -> [String: Silence] {
        guard let silences = store as? any SilenceStore else { return [:] }
        var result: [String: Silence] = [:]
        for s in try silences.silences() where s.covers(day) { result[s.user] = s }
        return result
    }

    /// One line for `check`'s summary: how many silences are in force on `day` and the next to end, or nil when none.
    public static func summary(on day: Day, in store: any StateStore) throws -> String? {
        let active = try Self.active(on: day, in: store).values.sorted { ($0.until, $0.user) < ($1.until, $1.user) }
        guard let first = active.first else { return nil }
        return "\(active.count) user(s) silenced (no alerts); the first silence ends after \(first.until) (\(UntrustedText.display(first.user, limit: 60)): \(UntrustedText.display(first.reason, limit: 60)))"
    }
}
