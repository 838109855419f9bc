/// The checkpoint of a journal source: where reading stopped (the journal's own cursor, and that entry's time for
/// when the cursor is gone) and the tracker's in-flight state.
///
/// Layout: magic `MVJN`, format version, source kind, cursor, realtime (µs), then the tracker's bytes. The runner
/// stores it in the same transaction as the counts it goes with.
struct JournalCheckpoint: Equatable {
    static let magic: [UInt8] = Array("MVJN".utf8)
    static let version: UInt64 = 1

    /// The source type that wrote it.
    var kind: String
    /// The cursor of the last entry read (empty before any).
    var cursor: String
    /// That entry's wall-clock time, in microseconds since 1970 (0 before any).
    var realtime: UInt64
    /// The tracker's state, as it encoded it.
    var state: [UInt8]

    init(kind: String, cursor: String, realtime: UInt64, state: [UInt8]) {
        self.kind = kind
        self.cursor = cursor
        self.realtime = realtime
        self.state = state
    }

    /// Decodes a checkpoint; throws ``CheckpointReader/Failure`` for damaged bytes or another kind.
    init(decoding bytes: [UInt8], kind: String) throws {
        var reader = CheckpointReader(bytes)
        try reader.header(magic: Self.magic, version: Self.version, kind: kind)
        self.kind = kind
        cursor = String(decoding: try reader.bytes(max: 4096), as: UTF8.self)
        realtime = try reader.unsigned()
        state = try reader.bytes(max: 1 << 30)
        guard reader.isAtEnd else { throw CheckpointReader.Failure() }
    }

    /// The bytes to store.
    func encoded() -> [UInt8] {
        var writer = CheckpointWriter()
        writer.appendHeader(magic: Self.magic, version: Self.version, kind: kind)
        writer.append(bytes: Array(cursor.utf8))
        writer.append(realtime)
        writer.append(bytes: state)
        return writer.bytes
    }
}
