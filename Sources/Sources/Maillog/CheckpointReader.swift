/// Reads what ``CheckpointWriter`` wrote; any inconsistency throws ``Failure``.
struct CheckpointReader {
    /// The checkpoint is damaged or of another format.
    struct Failure: Error {}

    private let data: [UInt8]
    private var position = 0

    init(_ data: [UInt8]) { self.data = data }

    /// Whether everything was read.
    var isAtEnd: Bool { position == data.count }

    mutating func unsigned(max: UInt64 = .max) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count, shift < 64 else { throw Failure() }
            let b = data[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard result <= max else { throw Failure() }
        return result
    }

    mutating func signed() throws -> Int64 {
        let v = try unsigned()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    mutating func int(max: Int = Int(Int32.max)) throws -> Int {
        Int(try unsigned(max: UInt64(max)))
    }

    mutating func bool() throws -> Bool {
        guard position < data.count, data[position] <= 1 else { throw Failure() }
        position += 1
        return data[position - 1] == 1
    }

    mutating func bytes(max: Int = 1 << 20) throws -> [UInt8] {
        let n = try int(max: max)
        guard data.count - position >= n else { throw Failure() }
        defer { position += n }
        return Array(data[position..<(position + n)])
    }

    /// Reads a checkpoint's header (`magic`, format `version`, source kind); throws ``Failure`` unless all three are
    /// the ones expected (a checkpoint is only read back by the kind that wrote it).
    mutating func header(magic: [UInt8], version: UInt64, kind: String) throws {
        guard try raw(magic.count) == magic, try unsigned() == version,
              String(decoding: try bytes(max: 64), as: UTF8.self) == kind
        else { throw Failure() }
    }

    mutating func raw(_ count: Int) throws -> [UInt8] {
        guard count >= 0, data.count - position >= count else { throw Failure() }
        defer { position += count }
        return Array(data[position..<(position + count)])
    }
}
