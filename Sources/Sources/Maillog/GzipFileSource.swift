import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses a gzip file (one or more members, as `gzip` and `logrotate` write) through zlib, in chunks.
///
/// A stream that ends early (a `gzip` still running, a damaged file) is an error after the bytes that could be
/// decompressed; bytes that follow a complete member and are not another member are ignored.
final class GzipFileSource: LogByteSource {
    private static let inputCapacity = 1 << 18
    private let fd: Int32
    private var position: UInt64 = 0
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private var inputEnded = false
    private var finished = false
    private var membersDone = 0

    /// Prepares to decompress `fd` from its first byte.
    init(fd: Int32) throws {
        self.fd = fd
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: Self.inputCapacity)
        // 15 + 32: maximum window, and detect the gzip (or zlib) header automatically.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw LogReadError("zlib could not start (error \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        input.deallocate()
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Refills the input buffer; false at the end of the file.
    private func refill() throws -> Bool {
        guard !inputEnded else { return false }
        while true {
            let n = pread(fd, input, Self.inputCapacity, off_t(position))
            if n > 0 {
                position += UInt64(n)
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(n)
                return true
            }
            if n == 0 {
                inputEnded = true
                return false
            }
            if errno == EINTR { continue }
            throw LogReadError(String(cString: strerror(errno)))
        }
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        guard !finished, count > 0 else { return 0 }
        let capacity = UInt32(min(count, Int(UInt32.max)))
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = capacity
        while stream.pointee.avail_out == capacity {
            if try stream.pointee.avail_in == 0 && !refill() {
                // No more input, nothing produced by the last inflate: the stream is cut short.
                if membersDone > 0 {
                    finished = true
                    break
                }
                throw LogReadError("the gzip stream ends early (still being written, or damaged)")
            }
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                membersDone += 1
                // Another member may follow (concatenated gzip files).
                if try stream.pointee.avail_in == 0 && !refill() {
                    finished = true
                } else if stream.pointee.avail_in >= 2 && stream.pointee.next_in[0] == 0x1F && stream.pointee.next_in[1] == 0x8B {
                    inflateReset(stream)
                    continue
                } else {
                    finished = true  // trailing bytes that are no gzip member: ignored
                }
            case Z_BUF_ERROR:
                continue  // needs more input; the loop refills or reports the early end
            default:
                if membersDone > 0 {
                    finished = true
                    break
                }
                throw LogReadError("the gzip data is damaged (zlib error \(rc))")
            }
            if finished { break }
        }
        return Int(capacity - stream.pointee.avail_out)
    }

    func skip(_ count: UInt64) throws -> UInt64 {
        var remaining = count
        let scratchSize = 1 << 16
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        while remaining > 0 {
            let n = try read(into: scratch, count: Int(min(UInt64(scratchSize), remaining)))
            if n == 0 { break }
            remaining -= UInt64(n)
        }
        return count - remaining
    }
}
