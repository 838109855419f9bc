/// An Exim message ID, stored inline.
///
/// Exim 4.96 and earlier: `1xYmmu-0003rF-1i` (6, 6 and 2 base-62 characters: time, PID, sub-second);
/// Exim 4.97 and later: `1rGbsd-00000000GJp-3nWs` (6, 11 and 4). ``init(_:_:)`` accepts only these shapes.
struct EximMessageID: Sendable, Hashable, CustomStringConvertible {
    private var storage: ShortBytes

    /// Validates and stores `line[range]`; nil when it is not an Exim message ID.
    init?(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let n = range.count
        let parts: (Int, Int)
        switch n {
        case 16: parts = (6, 13)
        case 23: parts = (6, 18)
        default: return nil
        }
        guard range.lowerBound >= 0, range.upperBound <= line.count else { return nil }
        for k in 0..<n {
            let b = line[range.lowerBound + k]
            if k == parts.0 || k == parts.1 {
                guard b == 0x2D else { return nil }
            } else if !ByteScan.isAlnum(b) {
                return nil
            }
        }
        storage = ShortBytes(line, range)
    }

    /// Validates and stores the ASCII `string`.
    init?(_ string: String) {
        let bytes = Array(string.utf8)
        guard let id = bytes.withUnsafeBufferPointer({ EximMessageID($0, 0..<$0.count) }) else { return nil }
        self = id
    }

    /// The ID's bytes.
    var bytes: [UInt8] { storage.bytes }

    /// The ID as text (always ASCII).
    var description: String { String(decoding: bytes, as: UTF8.self) }

    /// How long the ID at `at` is (16 or 23), when a message ID starts there followed by a space.
    static func length(in line: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        for n in [16, 23] where at + n < line.count && line[at + n] == ByteScan.space {
            if EximMessageID(line, at..<(at + n)) != nil { return n }
        }
        return nil
    }
}
