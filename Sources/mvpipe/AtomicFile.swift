#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file's content atomically: a reader sees the old file or the new one, never a half-written one.
enum AtomicFile {
    /// Writes `text` to a temporary file in `path`'s folder (a name node_exporter's `*.prom` glob
    /// does not match), flushes it to disk, makes it world-readable, and renames it over `path`.
    static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temp)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = failure("cannot write \(temp)")
                close(fd)
                throw error
            }
            written += n
        }
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let error = failure("cannot finish \(temp)")
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw failure("cannot close \(temp)") }
        guard rename(temp, path) == 0 else { throw failure("cannot rename \(temp) to \(path)") }
        ok = true
    }

    private static func failure(_ what: String) -> AtomicFileError {
        AtomicFileError(message: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Writing a file atomically failed.
struct AtomicFileError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
