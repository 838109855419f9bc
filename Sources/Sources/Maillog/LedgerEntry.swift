/// What a log format remembers about one message (or one session) between lines, files and runs.
protocol LedgerEntry: Sendable {
    /// Log time (``DayResolver/seconds(of:)``) of the line that made or last renewed it: for ageing.
    var stamp: Int64 { get }
    /// The interned user it is charged to (``LogLedger/intern(_:)``), or -1.
    var user: Int32 { get set }
    /// Whether it was made by a line seen before the one that starts its story (a qmgr line before its smtpd
    /// line): such entries are kept only ``LedgerTable/provisionalMaxAge``.
    var isProvisional: Bool { get }
    /// Writes the entry; `user` is the index of its user's name in the checkpoint (or -1), to be written where
    /// the entry's layout puts it.
    func encode(to writer: inout CheckpointWriter, user: Int64)
    /// Reads what ``encode(to:user:)`` wrote; `user` turns the saved index into an interned user.
    init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws
}

extension LedgerEntry {
    var isProvisional: Bool { false }
}

/// The login of a session (an SMTP connection), for formats that log the login once per connection and the
/// messages on lines of their own.
struct SessionLogin: LedgerEntry, Equatable {
    /// When the login was logged (log time).
    var stamp: Int64
    /// The interned login.
    var user: Int32

    init(stamp: Int64, user: Int32) {
        self.stamp = stamp
        self.user = user
    }

    func encode(to writer: inout CheckpointWriter, user: Int64) {
        writer.append(signed: user)
        writer.append(signed: stamp)
    }

    init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
        self.user = try user(try reader.signed())
        stamp = try reader.signed()
    }
}
