/// Up to 23 bytes stored inline (no heap allocation): the storage of queue and message IDs, which are keys of
/// the tables of messages in flight, so millions of them cost 32 bytes each.
struct ShortBytes: Sendable, Hashable {
    /// The most bytes that fit.
    static let capacity = 23
    private var w0: UInt64 = 0
    private var w1: UInt64 = 0
    private var w2: UInt64 = 0
    /// Number of bytes.
    private(set) var count: UInt8 = 0

    /// Copies `line[range]`; the caller checks that it is at most ``capacity`` bytes.
    init(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        precondition(range.count <= Self.capacity)
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for k in 0..<range.count { raw[k] = line[range.lowerBound + k] }
        }
        (w0, w1, w2) = words
        count = UInt8(range.count)
    }

    /// The bytes.
    var bytes: [UInt8] {
        var words = (w0, w1, w2)
        return withUnsafeBytes(of: &words) { Array($0.prefix(Int(count))) }
    }
}
