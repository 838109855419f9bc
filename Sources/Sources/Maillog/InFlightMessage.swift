/// What the postfix-log source remembers about one queue ID until qmgr removes it (or it ages out).
struct InFlightMessage: Sendable, Equatable {
    /// The message's origin line (smtpd `client=` or pickup `uid=`) was seen.
    static let originSeen: UInt8 = 1
    /// The message was counted (its user and day are known).
    static let counted: UInt8 = 2
    /// The first qmgr `from=... nrcpt=N (queue active)` line was used; later ones are retries.
    static let queued: UInt8 = 4
    /// The message does not count (no SASL login, a bounce, ...): its lines are ignored until `removed`.
    static let ignored: UInt8 = 8

    /// Seconds (see ``DayResolver/seconds(of:)``) of the line that created the entry, for ageing.
    var stamp: Int64
    /// Day number of the origin line, when seen.
    var day: Int32 = .min
    /// Interned user, when known.
    var user: Int32 = -1
    /// `nrcpt` of a qmgr line seen before the origin line, else -1.
    var nrcpt: Int32 = -1
    /// The flags above.
    var flags: UInt8 = 0

    /// Whether `flag` is set.
    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }
}
