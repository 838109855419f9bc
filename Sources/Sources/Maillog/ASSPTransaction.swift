/// What ``ASSPFormat`` remembers about a mail transaction until its final line: the recipients ASSP accepted
/// (`recipient accepted:` lines, logged only with `ValidateUserLog >= 2` and local-address validation).
struct ASSPTransaction: LedgerEntry, Equatable {
    /// Log time of its first line, for ageing (an aborted transaction has no final line).
    var stamp: Int64
    /// Unused.
    var user: Int32 = -1
    /// `recipient accepted:` lines seen.
    var recipients: Int32 = 0

    init(stamp: Int64) {
        self.stamp = stamp
    }

    func encode(to writer: inout CheckpointWriter, user: Int64) {
        writer.append(signed: stamp)
        writer.append(UInt64(recipients))
    }

    init(decoding reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
        stamp = try reader.signed()
        recipients = Int32(clamping: try reader.unsigned())
    }
}
