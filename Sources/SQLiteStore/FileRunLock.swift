import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file beside the state database.
final class FileRunLock: RunLock, @unchecked Sendable {
    private var fd: Int32
    private let lock = NSLock()

    init(path: String, waiting seconds: Double) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            let hint = FileOwnerHint.isDenied(code) ? FileOwnerHint.forDenied(path) : ""
            throw StateError.unusable("cannot open the lock file \(path): \(String(cString: strerror(code)))\(hint)")
        }
        let deadline = Date().addingTimeInterval(max(0, seconds))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(fd)
                throw StateError.unusable("cannot lock \(path): \(message)")
            }
            if Date() >= deadline {
                close(fd)
                throw StateError.locked("another mvpipe run holds the lock \(path) (waited \(AlertFormatter.format(seconds)) s); this run did nothing. If no mvpipe is running, check for a hung process with `fuser \(path)`")
            }
            usleep(50_000)
        }
    }

    func release() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 {
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
