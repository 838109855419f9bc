/// A Postfix queue ID, stored inline (no heap allocation).
///
/// Two forms exist (see Postfix `mail_queue.h`):
/// - short: upper-case hex, e.g. `BBEEFFA1FC` (microseconds + inode), 6...21 characters here;
/// - long (`enable_long_queue_ids = yes`): 10 base-52 time characters, a `z`, then the inode in base 51,
///   e.g. `3mPVKl0Mhjz7sXv`, 12...23 characters here.
///
/// ``init(_:_:)`` accepts only these shapes, so words such as `NOQUEUE` or `warning` are never queue IDs.
struct QueueID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Longest queue ID that fits inline.
    static let maxLength = 23
    private var storage: ShortBytes
    /// Number of characters.
    var count: UInt8 { storage.count }

    /// Validates and stores `line[range]`; nil when it is not a short or long Postfix queue ID.
    init?(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let n = range.count
        guard n >= 6, n <= QueueID.maxLength, range.lowerBound >= 0, range.upperBound <= line.count else { return nil }
        guard QueueID.isShort(line, range) || QueueID.isLong(line, range) else { return nil }
        storage = ShortBytes(line, range)
    }

    /// Validates and stores the ASCII `string`.
    init?(_ string: String) {
        var s = string
        let v: QueueID? = s.withUTF8 { QueueID($0, 0..<$0.count) }
        guard let v else { return nil }
        self = v
    }

    private static func isShort(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count <= 21 else { return false }
        for i in r {
            let b = line[i]
            if !((b &- 0x30) < 10 || (b &- 0x41) < 6) { return false }
        }
        return true
    }

    private static func isLong(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count >= 12, line[r.lowerBound + 10] == 0x7A else { return false }
        for i in r where !ByteScan.isAlnum(line[i]) { return false }
        return true
    }

    /// The ID's bytes.
    var bytes: [UInt8] { storage.bytes }

    /// The ID as text (always ASCII).
    var description: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether this is the long form (contains the `z` separator at position 10).
    var isLong: Bool { count >= 12 && bytes[10] == 0x7A }

    /// Orders by bytes.
    static func < (lhs: QueueID, rhs: QueueID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
