/// The checkpoint of a maillog source: its file cursors and its tracker's in-flight state.
///
/// Layout: magic `MVLG`, format version, source kind, the cursors, then the tracker's own bytes
/// (length-prefixed). The runner stores it in the same transaction as the counts it goes with.
struct MaillogCheckpoint {
    static let magic: [UInt8] = Array("MVLG".utf8)
    static let version: UInt64 = 1

    /// The source type (`postfix-log`, `exim-log`, ...): a checkpoint is only read back by the kind that wrote it.
    var kind: String
    /// Where each file was left.
    var cursors: [FileCursor]
    /// The tracker's state, as it encoded it.
    var state: [UInt8]

    init(kind: String, cursors: [FileCursor], state: [UInt8]) {
        self.kind = kind
        self.cursors = cursors
        self.state = state
    }

    /// Decodes a checkpoint; throws ``CheckpointReader/Failure`` for damaged bytes or another kind.
    init(decoding bytes: [UInt8], kind: String) throws {
        var reader = CheckpointReader(bytes)
        guard try reader.raw(4) == Self.magic, try reader.unsigned() == Self.version,
              String(decoding: try reader.bytes(max: 64), as: UTF8.self) == kind
        else { throw CheckpointReader.Failure() }
        self.kind = kind
        let count = try reader.int(max: 100_000)
        cursors = []
        for _ in 0..<count { cursors.append(try FileCursor(from: &reader)) }
        state = try reader.bytes(max: 1 << 30)
        guard reader.isAtEnd else { throw CheckpointReader.Failure() }
    }

    /// The bytes to store.
    func encoded() -> [UInt8] {
        var writer = CheckpointWriter()
        writer.append(raw: Self.magic)
        writer.append(Self.version)
        writer.append(bytes: Array(kind.utf8))
        writer.append(UInt64(cursors.count))
        for cursor in cursors { cursor.encode(to: &writer) }
        writer.append(bytes: state)
        return writer.bytes
    }
}
