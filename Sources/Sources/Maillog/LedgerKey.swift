/// A key of a ``LedgerTable`` (a queue ID, a message ID, a connection): hashable, and stored in the checkpoint.
protocol LedgerKey: Hashable, Sendable {
    /// Writes the key.
    func encode(to writer: inout CheckpointWriter)
    /// Reads what ``encode(to:)`` wrote; throws ``CheckpointReader/Failure`` for anything else.
    init(decoding reader: inout CheckpointReader) throws
}

extension QueueID: LedgerKey {
    func encode(to writer: inout CheckpointWriter) {
        writer.append(bytes: bytes)
    }

    init(decoding reader: inout CheckpointReader) throws {
        let raw = try reader.bytes(max: QueueID.maxLength)
        guard let id = raw.withUnsafeBufferPointer({ QueueID($0, 0..<$0.count) }) else { throw CheckpointReader.Failure() }
        self = id
    }
}

extension Array: LedgerKey where Element == UInt8 {
    /// Keys made of bytes (connection keys, message IDs) are at most this long.
    static var maxKeyLength: Int { 4096 }

    func encode(to writer: inout CheckpointWriter) {
        writer.append(bytes: self)
    }

    init(decoding reader: inout CheckpointReader) throws {
        self = try reader.bytes(max: Self.maxKeyLength)
    }
}
