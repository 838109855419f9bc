/// What the postfix-log source remembers about one queue ID until qmgr removes it (or it ages out).
struct InFlightMessage: LedgerEntry, Equatable {
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

    init(stamp: Int64, day: Int32 = .min, user: Int32 = -1, nrcpt: Int32 = -1, flags: UInt8 = 0) {
        self.stamp = stamp
        self.day = day
        self.user = user
        self.nrcpt = nrcpt
        self.flags = flags
    }

    /// Whether `flag` is set.
    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    /// A qmgr line waiting for its origin line.
    var isProvisional: Bool { !has(Self.originSeen) }

    func encode(to writer: inout CheckpointWriter, user: Int64) {
        writer.append(signed: stamp)
        writer.append(signed: Int64(day))
        writer.append(signed: user)
        writer.append(signed: Int64(nrcpt))
        writer.append(UInt64(flags))
    }

    init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
        stamp = try reader.signed()
        day = Int32(clamping: try reader.signed())
        self.user = try user(try reader.signed())
        nrcpt = Int32(clamping: try reader.signed())
        flags = UInt8(try reader.unsigned(max: 255))
    }
}
