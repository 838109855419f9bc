#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an uncompressed file with `pread` from a position, so the descriptor can be shared.
final class PlainFileSource: LogByteSource {
    private let fd: Int32
    private var position: UInt64

    /// Reads `fd` from `position` on.
    init(fd: Int32, position: UInt64 = 0) {
        self.fd = fd
        self.position = position
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        while true {
            let n = pread(fd, buffer, count, off_t(position))
            if n >= 0 {
                position += UInt64(n)
                return n
            }
            if errno == EINTR { continue }
            throw LogReadError(String(cString: strerror(errno)))
        }
    }

    func skip(_ count: UInt64) throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LogReadError(String(cString: strerror(errno))) }
        let size = UInt64(max(0, st.st_size))
        let skipped = position >= size ? 0 : min(count, size - position)
        position += skipped
        return skipped
    }
}
