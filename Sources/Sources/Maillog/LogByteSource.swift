/// The content bytes of one log file, read front to back in chunks: plain, or decompressed from gzip.
protocol LogByteSource: AnyObject {
    /// Reads up to `count` bytes into `buffer`; returns 0 at the end of the content.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int
    /// Skips `count` content bytes; returns how many were skipped (fewer at the end of the content).
    func skip(_ count: UInt64) throws -> UInt64
}
