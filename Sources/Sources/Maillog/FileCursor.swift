/// What a maillog source remembers about one log file between runs (inside its checkpoint).
struct FileCursor: Sendable, Equatable {
    /// The path it had when last read (for notes only: files are recognised by content).
    var path: [UInt8]
    /// `st_dev` when last read.
    var device: UInt64
    /// `st_ino` when last read.
    var inode: UInt64
    /// ``Fingerprint`` of the first `fingerprintLength` content bytes.
    var fingerprint: UInt64
    /// How many leading content bytes the fingerprint covers (1...``Fingerprint/length``).
    var fingerprintLength: Int
    /// Content bytes already read: always just after a newline (or the start).
    var offset: UInt64
    /// The on-disk size when last read.
    var size: UInt64
    /// Whether it was gzip-compressed when last read.
    var compressed: Bool
    /// A compressed file read to its clean end: nothing more can come while it keeps its inode and size.
    var complete: Bool
    /// When a run last found it (Unix seconds), to forget files rotated away long ago.
    var lastSeen: Int64

    func encode(to writer: inout CheckpointWriter) {
        writer.append(bytes: path)
        writer.append(device)
        writer.append(inode)
        writer.append(fingerprint)
        writer.append(UInt64(fingerprintLength))
        writer.append(offset)
        writer.append(size)
        writer.append(compressed)
        writer.append(complete)
        writer.append(signed: lastSeen)
    }

    init(path: [UInt8], device: UInt64, inode: UInt64, fingerprint: UInt64, fingerprintLength: Int, offset: UInt64,
         size: UInt64, compressed: Bool, complete: Bool, lastSeen: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
        self.offset = offset
        self.size = size
        self.compressed = compressed
        self.complete = complete
        self.lastSeen = lastSeen
    }

    init(from reader: inout CheckpointReader) throws {
        path = try reader.bytes()
        device = try reader.unsigned()
        inode = try reader.unsigned()
        fingerprint = try reader.unsigned()
        fingerprintLength = Int(try reader.unsigned(max: UInt64(Fingerprint.length)))
        offset = try reader.unsigned()
        size = try reader.unsigned()
        compressed = try reader.bool()
        complete = try reader.bool()
        lastSeen = try reader.signed()
        guard fingerprintLength > 0 else { throw CheckpointReader.Failure() }
    }
}
