/// Builds a maillog checkpoint: LEB128 varints, zigzag for signed numbers, length-prefixed byte strings.
struct CheckpointWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func append(signed value: Int64) {
        append(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func append(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    mutating func append<C: Collection>(bytes value: C) where C.Element == UInt8 {
        append(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a checkpoint's header: `magic`, format `version`, source kind.
    mutating func appendHeader(magic: [UInt8], version: UInt64, kind: String) {
        append(raw: magic)
        append(version)
        append(bytes: Array(kind.utf8))
    }

    mutating func append(raw value: [UInt8]) {
        bytes.append(contentsOf: value)
    }
}
