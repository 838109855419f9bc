#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a small file a config names (the config itself, a secret file): it must be a regular file, so a
/// directory, a FIFO (which would block), `/dev/zero` (which never ends) or a socket is refused with a message
/// that says what the path is.
public enum RegularFile {
    /// Why a file could not be read, in words for a message ("it is a directory", "no such file").
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The reason.
        public let reason: String
        public var description: String { reason }
    }

    /// The whole content of the regular file at `path`, at most `limit` bytes.
    public static func contents(of path: String, limit: Int) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw ReadError(reason: "no such file")
            case EACCES: throw ReadError(reason: "permission denied (mvpipe runs as uid \(getuid()))")
            default: throw ReadError(reason: String(cString: strerror(code)))
            }
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ReadError(reason: String(cString: strerror(errno))) }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what = switch kind {
            case S_IFDIR: "it is a directory, not a file"
            case S_IFIFO: "it is not a regular file but a FIFO (named pipe)"
            case S_IFCHR: "it is not a regular file but a character device"
            case S_IFBLK: "it is not a regular file but a block device"
            case S_IFSOCK: "it is not a regular file but a socket"
            default: "it is not a regular file"
            }
            throw ReadError(reason: what)
        }
        guard Int(info.st_size) <= limit else {
            throw ReadError(reason: "it is \(info.st_size) bytes, more than the \(limit) a file of this kind may have")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= limit else {
                    throw ReadError(reason: "it grew past the \(limit) bytes a file of this kind may have while it was read")
                }
                bytes += [UInt8](repeating: 0, count: max(4096, bytes.count))
            }
            let n = bytes[filled...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }
}
