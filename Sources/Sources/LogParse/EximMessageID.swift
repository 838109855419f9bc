/// An Exim message ID, stored inline.
///
/// Exim 4.96 and earlier: `1xYmmu-0003rF-1i` (6, 6 and 2 base-62 characters: time, PID, sub-second);
/// Exim 4.97 and later: `1rGbsd-00000000GJp-3nWs` (6, 11 and 4). ``init(_:_:)`` accepts only these shapes.
struct EximMessageID: Sendable, Hashable, CustomStringConvertible {
    private var storage: ShortBytes

    /// Validates and stores `line[range]`; nil when it is not an Exim message ID.
    init?(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        guard range.lowerBound >= 0, range.upperBound <= line.count, Self.isID(line, at: range.lowerBound, count: range.count)
        else { return nil }
        storage = ShortBytes(line, range)
    }

    /// Whether `count` bytes at `at` are an ID: dashes where they belong (checked first: most text fails there),
    /// base-62 characters elsewhere.
    @inline(__always)
    private static func isID(_ line: UnsafeBufferPointer<UInt8>, at: Int, count n: Int) -> Bool {
        let second: Int
        switch n {
        case 16: second = 13
        case 23: second = 18
        default: return false
        }
        guard line[at + 6] == 0x2D, line[at + second] == 0x2D else { return false }
        for k in 0..<n where k != 6 && k != second {
            if !ByteScan.isAlnum(line[at + k]) { return false }
        }
        return true
    }

    /// Validates and stores the ASCII `string`.
    init?(_ string: String) {
        let bytes = Array(string.utf8)
        guard let id = bytes.withUnsafeBufferPointer({ EximMessageID($0, 0..<$0.count) }) else { return nil }
        self = id
    }

    /// Its length: 16 or 23.
    var count: UInt8 { storage.count }

    /// The ID's bytes.
    var bytes: [UInt8] { storage.bytes }

    /// The ID as text (always ASCII).
    var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The ID at `at` followed by a space (or the end of the line), when there is one.
    static func at(_ at: Int, in line: UnsafeBufferPointer<UInt8>) -> EximMessageID? {
        for n in [16, 23] where at + n <= line.count && (at + n == line.count || line[at + n] == ByteScan.space) {
            if isID(line, at: at, count: n) { return EximMessageID(unchecked: line, at..<(at + n)) }
        }
        return nil
    }

    private init(unchecked line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        storage = ShortBytes(line, range)
    }
}
