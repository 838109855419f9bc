/// FNV-1a (64 bit) of a file's first bytes: with the byte count, it recognises a file after a rename,
/// a copy (copytruncate) or compression, whatever its inode.
enum Fingerprint {
    /// How many leading content bytes identify a file (fewer while the file is shorter).
    static let length = 256

    /// The hash of `bytes`.
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
